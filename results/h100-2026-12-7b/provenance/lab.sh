#!/usr/bin/env bash
# Both 7B shapes on one GPU, every engine in turn, one step after the other (no other work on the host while a window
# is open; builds happen between windows, never during one). Runs detached: `setsid bash lab.sh REPO &`; everything it
# writes goes to /tmp/r, which is copied off the node as it goes (its last file is DONE).
# Inputs, under REPO/.device (ortmin.tar.xz may arrive later: it is waited for before the first ONNX build): wb.tar.xz (`wattlab bundle --out wb --with-node --engines llama.cpp --llama-backends vulkan
# --llama-source`, llama.cpp's sources for backends other than CPU/CUDA left out), ortmin.tar.xz (onnxruntime-node and
# onnxruntime-common from `wattlab bundle --engines onnxruntime`, unpacked into the first bundle's node_modules),
# data.tar.xz (alpaca/alpaca_5000.json, gsm8k/test.jsonl); REPO/.gl/*.deb (Debian's libvulkan1 and libglvnd packages).
set -u -o pipefail
REPO=$1; T0=$(date +%s); R=/tmp/r; mkdir -p $R/logs
log() { echo "[$(( $(date +%s) - T0 )) s] $*" | tee -a $R/steps.txt; }
for f in $REPO/.gl/*.deb; do dpkg -x "$f" /; done; ldconfig
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
mkdir -p /tmp/b /tmp/data /tmp/models /tmp/repo
tar xJf $REPO/.device/wb.tar.xz -C /tmp/b && tar xJf $REPO/.device/data.tar.xz -C /tmp/data
cp -r $REPO/bench $REPO/python /tmp/repo/ && cp $0 $R/lab.sh
W=/tmp/b/wb/wattlab; export WATTLAB_DATA_DIR=/tmp/data WATTLAB_MODELS_DIR=/tmp/models PYTHONUNBUFFERED=1
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
nvidia-smi --query-gpu=name,driver_version,power.limit,power.draw,temperature.gpu,clocks.sm,clocks.max.mem --format=csv > $R/gpu.csv
{ df -h /tmp; free -g; nproc; echo "ncu: $NCU"; } > $R/host.txt
log "bandwidth"; python3 /tmp/repo/bench/bandwidth.py > $R/bandwidth.json 2> $R/logs/bandwidth.txt
$W info > $R/info.txt 2>&1

sweep() { # MODEL ENGINE DEVICE QUANTS DIR LIMIT_S
  log "$1 $2 $3 $4"
  timeout $6 $W sweep --model $1 --engine $2 --device $3 --quantization $4 --dataset alpaca --input-length 128 --output-length 128 \
    --batch-size 1,4 --mode grid --reps 3 --idle-seconds 5 --no-progress --out $R/$1/$5 > $R/logs/$1-$5.txt 2>&1
  echo "rc $?" >> $R/logs/$1-$5.txt; tail -2 $R/logs/$1-$5.txt | tee -a $R/steps.txt
}
transformers() { # MODEL LIMIT_S
  log "$1 transformers static,default"
  timeout $2 $W meter --json --store $R/$1/transformers --idle-seconds 5 -- python3 /tmp/repo/bench/transformers_windows.py \
    --model $1 --variants static,default --shapes 1:128:128,4:128:128 --reps 3 > $R/logs/$1-transformers.json 2> $R/logs/$1-transformers.txt
  echo "rc $?" >> $R/logs/$1-transformers.txt; tail -2 $R/logs/$1-transformers.txt | tee -a $R/steps.txt
}
gguf() { for d in f16 q8_0 q4_0; do $W build-model --preset $1 --format gguf --dtype $d --out /tmp/models/$1-$d-synthvocab.gguf > $R/logs/build-$1-$d.txt 2>&1 & done; }
onnx() { for d in fp16 int8 int4; do $W generate --model $1 --engine onnxruntime --device webgpu --dtype $d --input-tokens 16 --max-new-tokens 2 --warmup 0 > $R/logs/build-$1-onnx-$d.txt 2>&1 & done; }

ort() { for i in $(seq 1 120); do [ -f $REPO/.device/ortmin.tar.xz ] && break; sleep 5; done
  [ -d /tmp/b/wb/node_modules/onnxruntime-node ] || tar xJf $REPO/.device/ortmin.tar.xz -C /tmp/b/wb/node_modules; }
avail_gb() { df -BG --output=avail /tmp | tail -1 | tr -dc 0-9; }

M=llama-2-7b; D=deepseek-r1-distill-qwen-7b
log "build: llama.cpp for CUDA (sm_90), $M's GGUFs (and ONNX models where the disk holds them), side by side, before any window"
( cd /tmp/b/wb && scripts/llamacpp-cuda-build.sh --archs 90 --jobs 16 --timeout 480 > $R/logs/llamacpp-cuda-build.txt 2>&1; echo "cuda build rc $?" >> $R/logs/llamacpp-cuda-build.txt ) &
gguf $M; ort; ONNX_EARLY=0; if [ "$(avail_gb)" -ge 56 ]; then ONNX_EARLY=1; onnx $M; fi
wait; tail -1 $R/logs/llamacpp-cuda-build.txt | tee -a $R/steps.txt; ls -la /tmp/models >> $R/steps.txt; df -h /tmp >> $R/steps.txt
log "builds done"

sweep $M llama.cpp cuda fp16,int8,int4 llamacpp-cuda 240
log "$M llama.cpp CUDA F16 b1 under Nsight Compute: kernel time of 8 and 24 new tokens"
mkdir -p $R/$M/step-split
for n in 8 24; do
  timeout 120 $NCU --csv --log-file $R/$M/step-split/ncu-$n.csv --metrics gpu__time_duration.sum --clock-control none --target-processes all \
    $W generate --model /tmp/models/$M-f16-synthvocab.gguf --engine llama.cpp --device cuda --input-tokens 128 --dataset alpaca \
    --max-new-tokens $n --fixed-length --warmup 0 --json > $R/$M/step-split/generate-$n.json 2> $R/logs/$M-ncu-$n.txt
  echo "rc $?" >> $R/logs/$M-ncu-$n.txt; gzip -f $R/$M/step-split/ncu-$n.csv
done
transformers $M 330
sweep $M llama.cpp vulkan fp16,int8,int4 llamacpp-vulkan 240

if [ $ONNX_EARLY = 1 ]; then
  sweep $M onnxruntime webgpu fp16,int8,int4 onnxruntime-webgpu 420
  rm -rf /tmp/models/*; log "build: $D's GGUFs"; gguf $D; wait; log "builds done"
elif rm -f /tmp/models/*.gguf; [ "$(avail_gb)" -ge 58 ]; then
  log "build: $M's ONNX models and $D's GGUFs, side by side ($(avail_gb) GB free)"; onnx $M; gguf $D; wait; log "builds done"
  sweep $M onnxruntime webgpu fp16,int8,int4 onnxruntime-webgpu 420
else
  log "build: $M's ONNX models ($(avail_gb) GB free)"; onnx $M; wait; log "builds done"
  sweep $M onnxruntime webgpu fp16,int8,int4 onnxruntime-webgpu 420
  rm -rf /tmp/models/*; log "build: $D's GGUFs"; gguf $D; wait; log "builds done"
fi
ls -la /tmp/models >> $R/steps.txt
M=$D
sweep $M llama.cpp cuda fp16,int8,int4 llamacpp-cuda 240
transformers $M 330
sweep $M llama.cpp vulkan fp16,int8,int4 llamacpp-vulkan 240
rm -rf /tmp/models/llama-2-7b-*; log "build: $M's ONNX models"; onnx $M; wait; log "builds done"
sweep $M onnxruntime webgpu fp16,int8,int4 onnxruntime-webgpu 420
log "done"; touch $R/DONE
