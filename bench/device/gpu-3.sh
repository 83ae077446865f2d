#!/usr/bin/env bash
# Session 3's GPU plan, as run (results/h200/REPORT.md): on one nvidia-h200-x2 host in three lanes
# (bench/device/lanes.sh). Pack with `bash bench/device/pack.sh` (datasets compressed inside .device) and
# `bash bench/device/cuda-pack.sh` (.cudasrc, the offline CUDA source-build kit); with the tree they fit one call:
#   call 1, carry [".device", ".cudasrc"]:  bash bench/device/gpu-3.sh start 570
#   call 2, no carry (the lanes outlive call 1 on the warm machine):  bash bench/device/gpu-3.sh wait 560
#   lane A (GPU 0, the one Dawn uses: session 2's check): `wattlab profile` of a WebGPU decode step (fp16, int4),
#          then onnxruntime WebGPU int8/int4 at batch 1/2/4 for
#          LLaMA-2-7B, then DeepSeek's one-at-a-time sweep (fp16/int8/int4, input lengths, batch, datasets)
#   lane C (CPU): node-llama-cpp built from source for CUDA sm_90 (bench/device/cuda-build.sh); 24 of the 32 cores,
#          beside lane A's measurements: say so next to lane A's figures, or start lane A after the build
#   lane B (GPU 1): once lane C has built it, llama.cpp CUDA: the seed sweep for both models
set -uo pipefail
export WATTLAB_SHARED=$PWD/.device/shared WATTLAB_MODELS_DIR=/tmp/wattlab-models WATTLAB_DATA_DIR=$PWD/.device/data
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 CUDA_DEVICE_ORDER=PCI_BUS_ID
W="node bin/wattlab.js"
LANES=(A B C) LANE_FUNCTIONS=(laneA laneB laneC)
source bench/device/lanes.sh

laneA() {
  # where a WebGPU decode step goes, per operator type, before the sweeps (bench/notes/gpu-paths.md, v1 item 1)
  mkdir -p "$O/profile"
  for q in fp16 int4; do
    on_gpu 0 $W profile --model llama-2-7b --dtype $q --device webgpu --input-tokens 128 --max-new-tokens 32 --out "$O/profile/llama-2-7b-$q"
  done
  on_gpu 0 $W sweep --spec bench/device/specs/h200-webgpu-llama2-quant.json --out "$O/webgpu-llama2-quant" --idle-seconds 5 --no-progress
  on_gpu 0 $W sweep --spec bench/device/specs/h200-webgpu-deepseek-full.json --out "$O/webgpu-deepseek-full" --idle-seconds 5 --no-progress
}

laneC() {
  local t=0
  while [ ! -f .cudasrc/llama.cpp.tar.xz ] && [ $t -lt 900 ]; do sleep 10; t=$((t + 10)); done
  [ -f .cudasrc/llama.cpp.tar.xz ] || { echo "no CUDA build kit arrived (.cudasrc)"; return; }
  CUDA_BUILD_JOBS=24 bash bench/device/cuda-build.sh 900 cuda && touch "$O/lanes/cuda-built"
}

laneB() {
  while [ ! -f "$O/lanes/C" ]; do sleep 10; done
  [ -f "$O/lanes/cuda-built" ] || { echo "llama.cpp CUDA did not build: see lane C"; return; }
  for m in llama2 deepseek; do
    on_gpu 1 $W sweep --spec bench/device/specs/h200-llamacpp-cuda-$m.json --out "$O/llamacpp-cuda-$m" --idle-seconds 5 --no-progress
  done
}

case "${1:-}" in
  start)
    source .device/bootstrap.sh >/dev/null
    [ -f .device/data.tar.xz ] && tar xJf .device/data.tar.xz -C .device  # the datasets travel compressed (pack.sh)
    $W info 2>&1 | tee "$O/logs/info.txt"
    lane A; lane C; lane B
    wait_lanes "${2:-570}" ;;
  wait)
    wait_lanes "${2:-570}" ;;
  *) echo "usage: gpu-3.sh start|wait SECONDS"; exit 2 ;;
esac
