#!/usr/bin/env bash
# How the LLaMA-2-7B files were made, on one H100 80GB HBM3 node with no Node.js installed: the measurement-protocol check (llama.cpp, LLaMA-2-7B shape, batch 1, 128/128: 5 repeated-window
# repetitions against 5 single-window ones), the Transformers baseline in both variants under `wattlab meter`, and
# llama.cpp rows beside it, all sequential on one GPU. 
set -u -o pipefail
# Inputs: inputs/wb.tar.xz (made by `wattlab bundle --out wb --with-node --engines llama.cpp --llama-backends vulkan`),
# inputs/data.tar.xz (alpaca/alpaca_5000.json and gsm8k/test.jsonl), inputs/gl/*.deb (Debian's libvulkan1 and libglvnd
# packages). Output: $OUT/results.tgz, unpacked into this folder.
OUT=${OUT:-$PWD/out}; mkdir -p "$OUT"
T0=$(date +%s); R=/tmp/r; mkdir -p $R
log() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
pack() { tar czf $OUT/results.tgz -C $R . 2>/dev/null; }
left() { echo $(( ${DEADLINE:-560} - ($(date +%s) - T0) )); }
for f in inputs/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
mkdir -p /tmp/b /tmp/data && tar xJf inputs/wb.tar.xz -C /tmp/b && tar xJf inputs/data.tar.xz -C /tmp/data
W=/tmp/b/wb/wattlab; export WATTLAB_DATA_DIR=/tmp/data WATTLAB_MODELS_DIR=/tmp/models
nvidia-smi --query-gpu=name,driver_version,power.limit,power.draw,temperature.gpu,clocks.sm --format=csv | tee $R/gpu.csv
nproc; $W info 2>&1 | head -30 > $R/info.txt
S="--model llama-2-7b --engine llama.cpp --device vulkan --dataset alpaca --input-length 128 --output-length 128 --idle-seconds 5 --no-progress"
log "A1: protocol, repeated windows"; timeout $(left) $W sweep $S --quantization fp16 --batch-size 1 --reps 5 --out $R/llamacpp-vulkan 2>&1 | tail -4; pack
log "A2: protocol, single windows"; timeout $(left) $W sweep $S --quantization fp16 --batch-size 1 --reps 5 --measurement window --out $R/llamacpp-vulkan-single 2>&1 | tail -4; pack
log "C1: transformers default"; timeout $(left) $W meter --json --store $R/transformers --idle-seconds 5 -- python3 bench/transformers_windows.py --model llama-2-7b --variants default --shapes 1:128:128,4:128:128 --reps 5 > $R/transformers-default.json 2> $R/transformers-default.err; tail -3 $R/transformers-default.err; pack
log "B1: llama.cpp batch 4"; timeout $(left) $W sweep $S --quantization fp16 --batch-size 4 --reps 5 --out $R/llamacpp-vulkan 2>&1 | tail -2; pack
log "C2: transformers static"; timeout $(left) $W meter --json --store $R/transformers --idle-seconds 5 -- python3 bench/transformers_windows.py --model llama-2-7b --variants static --shapes 1:128:128,4:128:128 --reps 5 > $R/transformers-static.json 2> $R/transformers-static.err; tail -3 $R/transformers-static.err; pack
log "B2: llama.cpp Q4_0"; timeout $(left) $W sweep $S --quantization int4 --batch-size 1,4 --mode grid --reps 5 --out $R/llamacpp-vulkan 2>&1 | tail -2; pack
log "done"; nvidia-smi --query-gpu=power.draw,temperature.gpu --format=csv,noheader
