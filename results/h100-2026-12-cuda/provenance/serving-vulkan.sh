#!/usr/bin/env bash
# The serving curve of llama-2-7b/serving-vulkan/, a later run on another H100 80GB HBM3 node than the rest of this
# folder: wattlab serve (llama.cpp Vulkan F16, 64 sequences of 256 tokens) under concurrency 1/4/16/64, 10 s of arrivals
# per level, no warm-up before the levels (the sweep had none then: the first requests of each new batch shape carry the
# Vulkan pipelines' compilation, 4.0–4.6 s of TTFT at concurrency 1 and 4).
# Inputs: inputs/wb.tar.xz (made by `wattlab bundle --out wb --with-node --engines llama.cpp --llama-backends vulkan`),
# inputs/sweep.js (dist/src/cli/commands/sweep.js of the next commit: the bundled one imported src/analysis, whose
# danfojs the bundle does not carry), inputs/data.tar.xz, inputs/gl/*.deb. Output: $OUT/results.tgz.
OUT=${OUT:-$PWD/out}; mkdir -p "$OUT"
set -u -o pipefail
T0=$(date +%s); R=/tmp/r; mkdir -p $R; DEADLINE=${DEADLINE:-230}
log() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
pack() { tar czf $OUT/results.tgz -C $R . 2>/dev/null; }
left() { echo $(( DEADLINE - ($(date +%s) - T0) )); }
for f in inputs/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
mkdir -p /tmp/b /tmp/data /tmp/models && tar xJf inputs/wb.tar.xz -C /tmp/b && tar xJf inputs/data.tar.xz -C /tmp/data
cp inputs/sweep.js /tmp/b/wb/dist/src/cli/commands/sweep.js; W=/tmp/b/wb/wattlab; export WATTLAB_DATA_DIR=/tmp/data WATTLAB_MODELS_DIR=/tmp/models
nvidia-smi --query-gpu=name,driver_version,power.limit,power.draw,temperature.gpu,clocks.sm --format=csv | tee $R/gpu.csv
$W info 2>&1 | head -8 > $R/info.txt
log "build: the F16 GGUF"; $W build-model --preset llama-2-7b --format gguf --dtype f16 --out /tmp/models/llama-2-7b-f16-synthvocab.gguf > $R/build-f16.log 2>&1
log "S: wattlab serve llama.cpp Vulkan F16, concurrency 1/4/16/64"
$W serve --model llama-2-7b --engine llama.cpp --device vulkan --quantization fp16 --port 8199 --max-concurrency 64 --context-size 256 --meter none > $R/serve.out 2> $R/serve.err &
SP=$!; (while sleep 8; do pack; done) & PK=$!
for i in $(seq 1 90); do grep -q listening $R/serve.out && break; sleep 1; done; cat $R/serve.out
timeout $(left) $W sweep --engine openai --endpoint http://127.0.0.1:8199 --model llama-2-7b --dataset alpaca --concurrency 1,4,16,64 --duration 10 --input-length 128 --output-length 128 --reps 1 --idle-seconds 3 --out $R/serving 2>&1 | tail -6
curl -s http://127.0.0.1:8199/metrics > $R/serve-metrics.json; kill $SP $PK; wait $SP 2>/dev/null; pack
log "done"
