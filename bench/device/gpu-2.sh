#!/usr/bin/env bash
# Session 2's GPU work on one nvidia-h200-x2 host, split over its two GPUs so that 20 minutes of device time
# hold about 30 minutes of runs. Calls:
#   bash bench/device/gpu-2.sh start SECONDS   # (SECONDS: when, from the call's start, to pack and return) phase 0 (issue 10's two-GPU check, which GPU Dawn uses), then
#                                              # the lanes start in their own process sessions; waits SECONDS
#   bash bench/device/gpu-2.sh wait SECONDS    # later calls: wait for the lanes, at most SECONDS
# Every call ends by packing /tmp/o (logs, CSV, JSONL) into $OUT/o.tgz: a call cut short loses nothing, and
# the sweeps resume from their stores if a lane is restarted.
#   lane A (the GPU Dawn picks): llama.cpp Vulkan seed sweep of LLaMA-2-7B, then onnxruntime WebGPU
#   lane B (the other GPU):      llama.cpp Vulkan seed sweep of DeepSeek-7B, then the Transformers baselines
#   lane C (CPU, then lane B's GPU): node-llama-cpp CUDA source build for sm_90, and a CUDA sweep if it builds
set -uo pipefail
export WATTLAB_SHARED=$PWD/.device/shared WATTLAB_MODELS_DIR=/tmp/wattlab-models WATTLAB_DATA_DIR=$PWD/.devdata
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 CUDA_DEVICE_ORDER=PCI_BUS_ID
W="node bin/wattlab.js"
LANES=(A B C) LANE_FUNCTIONS=(laneA laneB laneC)
source bench/device/lanes.sh

phase0() {
  $W info
  $W build-model --format gguf --preset llama-100m --dtype f16 --out "$WATTLAB_MODELS_DIR/llama-100m-f16-synthvocab.gguf"
  echo "== issue 10: the multi-gpu spec on GPU 0 alone, then one worker per GPU"
  counters > "$O/multi/c-one-before.json"; t0=$(date +%s.%N)
  on_gpu 0 $W sweep --spec bench/device/specs/multi-gpu.json --out "$O/multi/one" --idle-seconds 3 --no-progress
  t1=$(date +%s.%N); counters > "$O/multi/c-one-after.json"
  $W sweep --spec bench/device/specs/multi-gpu.json --out "$O/multi/two" --gpus 0,1 --idle-seconds 3
  t2=$(date +%s.%N); counters > "$O/multi/c-two-after.json"
  echo "wall: one GPU $(awk "BEGIN{print $t1 - $t0}") s; two GPUs $(awk "BEGIN{print $t2 - $t1}") s"
  node bench/device/compare-shards.mjs "$O/multi/one/metrics.jsonl" "$O/multi/two" "$O/multi/c-one-after.json" "$O/multi/c-two-after.json" \
    "$O/multi/c-one-before.json" "$O/multi/c-one-after.json"
  echo "== which GPU Dawn (onnxruntime WebGPU) runs on"
  $W build-model --preset llama-100m --dtype fp16 --graph fused --out /tmp/l100-fused >/dev/null
  counters > /tmp/w0.json
  $W generate --model /tmp/l100-fused --dtype fp16 --device webgpu --input-tokens 128 --max-new-tokens 1024 --fixed-length
  counters > /tmp/w1.json
  python3 - <<'EOF' > "$O/webgpu-gpu.txt"
import json
a, b = json.load(open("/tmp/w0.json")), json.load(open("/tmp/w1.json"))
d = {g: (b["mJ"][g] - a["mJ"][g]) / 1000 for g in a["mJ"]}
print(max(d, key=d.get))
import sys; print("webgpu generate: joules per GPU", {g: round(v, 1) for g, v in d.items()}, file=sys.stderr)
EOF
  echo "Dawn's GPU: $(cat "$O/webgpu-gpu.txt")"
}

laneA() {  # $1: the GPU Dawn uses
  local g=$1
  for q in q4_0 q8_0 f16; do /usr/bin/time -f "build llama-2-7b $q: %e s, peak RSS %M KB" \
    $W build-model --format gguf --preset llama-2-7b --dtype $q --out "$WATTLAB_MODELS_DIR/llama-2-7b-$q-synthvocab.gguf"; done
  touch "$O/lanes/gguf-A"
  on_gpu "$g" $W sweep --spec bench/device/specs/h200-llamacpp-llama2.json --out "$O/llamacpp-llama2" --idle-seconds 5 --no-progress
  on_gpu "$g" $W sweep --spec bench/device/specs/h200-webgpu-llama2.json --out "$O/webgpu-llama2" --idle-seconds 5 --no-progress
  on_gpu "$g" $W sweep --spec bench/device/specs/h200-webgpu-deepseek.json --out "$O/webgpu-deepseek" --idle-seconds 0 --no-progress
}

laneB() {
  local g=$1 shapes="1:128:128;1:512:128;1:1024:128;1:128:512;1:128:1024;2:128:128;4:128:128"
  for q in q4_0 q8_0 f16; do /usr/bin/time -f "build deepseek $q: %e s, peak RSS %M KB" \
    $W build-model --format gguf --preset deepseek-r1-distill-qwen-7b --dtype $q --out "$WATTLAB_MODELS_DIR/deepseek-r1-distill-qwen-7b-$q-synthvocab.gguf"; done
  touch "$O/lanes/gguf-B"
  on_gpu "$g" $W sweep --spec bench/device/specs/h200-llamacpp-deepseek.json --out "$O/llamacpp-deepseek" --idle-seconds 5 --no-progress
  for m in llama-2-7b deepseek-r1-distill-qwen-7b; do
    PYTHONUNBUFFERED=1 CUDA_VISIBLE_DEVICES=$g timeout 400 python3 bench/hf_baseline.py --model $m --shapes "$shapes" --reps 3 \
      --out "$O/hf-$m.csv" 2>&1 | grep -v -i warn
  done
}

laneC() {  # CPU build, then lane B's GPU once lane B is done
  local g=$1 t=0
  while [ ! -f .cudasrc/llama.cpp.tar.xz ] && [ $t -lt 900 ]; do sleep 10; t=$((t + 10)); done
  [ -f .cudasrc/llama.cpp.tar.xz ] || { echo "no CUDA build kit arrived (.cudasrc)"; return; }
  while [ ! -f "$O/lanes/gguf-A" ] || [ ! -f "$O/lanes/gguf-B" ]; do sleep 5; done  # keep the builds' CPUs free
  CUDA_BUILD_JOBS=12 bash bench/device/cuda-build.sh 540 || { echo "CUDA source build failed"; return; }
  while [ ! -f "$O/lanes/B" ]; do sleep 5; done
  on_gpu "$g" $W sweep --model llama-2-7b --engine llama.cpp --device cuda --quantization fp16,int4 --dataset alpaca \
    --input-length 128 --output-length 128 --batch-size 1,4 --mode grid --reps 3 --out "$O/llamacpp-cuda-llama2" --idle-seconds 5 --no-progress
}

case "${1:-}" in
  start)
    source .device/bootstrap.sh >/dev/null
    mkdir -p "$O/multi" "$O/lanes"
    phase0 2>&1 | tee "$O/logs/phase0.txt"
    a=$(cat "$O/webgpu-gpu.txt" 2>/dev/null || echo 0); b=$(( 1 - a ))
    echo "lane A on GPU $a, lanes B and C on GPU $b"
    lane A "$a"; lane B "$b"; lane C "$b"
    wait_lanes "${2:-300}" ;;
  wait)
    wait_lanes "${2:-560}" ;;
  *) echo "usage: gpu-2.sh start|wait SECONDS"; exit 2 ;;
esac
