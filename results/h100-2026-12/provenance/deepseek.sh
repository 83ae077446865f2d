#!/usr/bin/env bash
# How the DeepSeek files were made, on the same kind of node: the DeepSeek-R1-Distill-Qwen-7B shape's headline cells (batch 1 and 4, 128/128): llama.cpp Vulkan
# F16 and Q4_0, then Transformers static-cache compiled and default, sequential on one GPU, 3 repetitions.
set -u -o pipefail
# Inputs: inputs/wb.tar.xz (made by `wattlab bundle --out wb --with-node --engines llama.cpp --llama-backends vulkan`),
# inputs/data.tar.xz (alpaca/alpaca_5000.json and gsm8k/test.jsonl), inputs/gl/*.deb (Debian's libvulkan1 and libglvnd
# packages). Output: $OUT/results.tgz, unpacked into this folder.
OUT=${OUT:-$PWD/out}; mkdir -p "$OUT"
T0=$(date +%s); R=/tmp/r; mkdir -p $R; DEADLINE=${DEADLINE:-370}
log() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
pack() { tar czf $OUT/results.tgz -C $R . 2>/dev/null; }
left() { echo $(( DEADLINE - ($(date +%s) - T0) )); }
for f in inputs/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
mkdir -p /tmp/b /tmp/data && tar xJf inputs/wb.tar.xz -C /tmp/b && tar xJf inputs/data.tar.xz -C /tmp/data
W=/tmp/b/wb/wattlab; export WATTLAB_DATA_DIR=/tmp/data WATTLAB_MODELS_DIR=/tmp/models
nvidia-smi --query-gpu=name,driver_version,power.limit,power.draw,temperature.gpu,clocks.sm --format=csv | tee $R/gpu.csv
S="--model deepseek-r1-distill-qwen-7b --engine llama.cpp --device vulkan --dataset alpaca --input-length 128 --output-length 128 --idle-seconds 5 --no-progress --reps 3 --mode grid --batch-size 1,4"
log "D1: llama.cpp F16"; timeout $(left) $W sweep $S --quantization fp16 --out $R/llamacpp-vulkan 2>&1 | tail -2; pack
log "D2: llama.cpp Q4_0"; timeout $(left) $W sweep $S --quantization int4 --out $R/llamacpp-vulkan 2>&1 | tail -2; pack
log "D3: transformers static"; timeout $(left) $W meter --json --store $R/transformers --idle-seconds 5 -- python3 bench/transformers_windows.py --model deepseek-r1-distill-qwen-7b --variants static --shapes 1:128:128,4:128:128 --reps 3 > $R/transformers-static.json 2> $R/transformers-static.err; tail -4 $R/transformers-static.err; pack
log "D4: transformers default"; timeout $(left) $W meter --json --store $R/transformers --idle-seconds 5 -- python3 bench/transformers_windows.py --model deepseek-r1-distill-qwen-7b --variants default --shapes 1:128:128,4:128:128 --reps 3 > $R/transformers-default.json 2> $R/transformers-default.err; tail -4 $R/transformers-default.err; pack
log "done"
