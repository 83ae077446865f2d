#!/usr/bin/env bash
# How the files of this folder were made, on one H100 80GB HBM3 node with no Node.js installed, every step after the
# previous one: the GPU's copy bandwidth; llama.cpp built for CUDA sm_90 from node-llama-cpp's sources while the GGUFs
# were written (before any window); llama.cpp CUDA F16 at batch 1 and 4; the Transformers static-cache compiled path
# under `wattlab meter`; `wattlab serve` (llama.cpp CUDA F16) under concurrency 1/4/16/64. The last steps (Q4_0, Q8_0,
# Vulkan, concurrency 64) did not start before the script's 580 s limit (DEADLINE).
# Inputs: inputs/wb.tar.xz (made by `wattlab bundle --out wb --with-node --engines llama.cpp --llama-backends vulkan --llama-source`),
# inputs/data.tar.xz (alpaca/alpaca_5000.json and gsm8k/test.jsonl), inputs/gl/*.deb (Debian's libvulkan1 and libglvnd
# packages). Output: $OUT/results.tgz, unpacked into this folder.
OUT=${OUT:-$PWD/out}; mkdir -p "$OUT"
set -u -o pipefail
T0=$(date +%s); R=/tmp/r; mkdir -p $R; DEADLINE=${DEADLINE:-580}
log() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
pack() { tar czf $OUT/results.tgz -C $R . 2>/dev/null; }
left() { echo $(( DEADLINE - ($(date +%s) - T0) )); }
for f in inputs/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
mkdir -p /tmp/b /tmp/data /tmp/models && tar xJf inputs/wb.tar.xz -C /tmp/b && tar xJf inputs/data.tar.xz -C /tmp/data
W=/tmp/b/wb/wattlab; export WATTLAB_DATA_DIR=/tmp/data WATTLAB_MODELS_DIR=/tmp/models
nvidia-smi --query-gpu=name,driver_version,power.limit,power.draw,temperature.gpu,clocks.sm,clocks.max.mem --format=csv | tee $R/gpu.csv
log "bandwidth"; python3 bench/bandwidth.py | tee $R/bandwidth.json
log "build: llama.cpp CUDA (sm_90) and the three GGUFs, side by side, before any window"
( cd /tmp/b/wb && scripts/llamacpp-cuda-build.sh --archs 90 --jobs 16 --timeout 330 > $R/cuda-build.log 2>&1; echo "cuda build rc $?" >> $R/cuda-build.log ) &
for d in f16 q8_0 q4_0; do $W build-model --preset llama-2-7b --format gguf --dtype $d --out /tmp/models/llama-2-7b-$d-synthvocab.gguf > $R/build-$d.log 2>&1 & done
wait; tail -3 $R/cuda-build.log; ls -la /tmp/models; log "builds done"; pack
$W info 2>&1 | head -40 > $R/info.txt
S="--model llama-2-7b --engine llama.cpp --dataset alpaca --input-length 128 --output-length 128 --idle-seconds 5 --no-progress --reps 3 --mode grid --batch-size 1,4"
log "A: llama.cpp CUDA F16"; timeout $(left) $W sweep $S --device cuda --quantization fp16 --out $R/llamacpp-cuda 2>&1 | tail -3; pack
log "B: transformers static"; timeout $(left) $W meter --json --store $R/transformers --idle-seconds 5 -- python3 bench/transformers_windows.py --model llama-2-7b --variants static --shapes 1:128:128,4:128:128 --reps 3 > $R/transformers-static.json 2> $R/transformers-static.err; tail -3 $R/transformers-static.err; pack
log "S: wattlab serve llama.cpp CUDA F16, concurrency 1/4/16/64"
$W serve --model llama-2-7b --engine llama.cpp --device cuda --quantization fp16 --port 8199 --max-concurrency 64 --context-size 512 --meter none > $R/serve.out 2> $R/serve.err &
SP=$!; for i in $(seq 1 90); do grep -q listening $R/serve.out && break; sleep 1; done; cat $R/serve.out
timeout $(left) $W sweep --engine openai --endpoint http://127.0.0.1:8199 --model llama-2-7b --dataset alpaca --concurrency 1,4,16,64 --input-length 128 --output-length 128 --reps 1 --idle-seconds 5 --out $R/serving 2>&1 | tail -6
kill $SP; wait $SP 2>/dev/null; tail -3 $R/serve.err; pack
log "C: llama.cpp CUDA Q4_0"; timeout $(left) $W sweep $S --device cuda --quantization int4 --out $R/llamacpp-cuda 2>&1 | tail -3; pack
log "D: llama.cpp CUDA Q8_0"; timeout $(left) $W sweep $S --device cuda --quantization int8 --out $R/llamacpp-cuda 2>&1 | tail -3; pack
log "E: llama.cpp Vulkan Q8_0"; timeout $(left) $W sweep $S --device vulkan --quantization int8 --out $R/llamacpp-vulkan 2>&1 | tail -3; pack
log "done"; nvidia-smi --query-gpu=power.draw,temperature.gpu --format=csv,noheader
