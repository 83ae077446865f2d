#!/usr/bin/env bash
# GPU call 1 (nvidia-h200-x2): device facts, meter agreement with pynvml, onnxruntime WebGPU KV residency,
# llama.cpp Vulkan checks, and the sharded two-GPU sweep (issue 10). Results land in $OUT.
set -uo pipefail
source .device/bootstrap.sh
export WATTLAB_SHARED=$PWD/.device/shared WATTLAB_MODELS_DIR=/tmp/wattlab-models NCCL_NVLS_ENABLE=0
W="node bin/wattlab.js"
mkdir -p "$OUT/logs"
{
  echo "== info"; $W info
  echo "== onnxruntime webgpu device test (fixture)"; WATTLAB_TEST_DEVICE=webgpu node --test dist/test/engine/onnxruntime/device.test.js 2>&1 | grep -E "^# |^ok|^not ok"
  echo "== webgpu KV residency, llama-100m fp16, batch 1, 128 in, 128 out"
  for kv in device host; do $W generate --model llama-100m --dtype fp16 --device webgpu --input-tokens 128 --max-new-tokens 128 --fixed-length --kv-cache $kv; done
  echo "== llama.cpp vulkan tests"; WATTLAB_LLAMACPP_DEVICE=vulkan node --test dist/test/engine/llamacpp/gpu.test.js 2>&1 | grep -E "^# |^ok|^not ok"
} 2>&1 | tee "$OUT/logs/checks.txt"
{
  echo "== meter agreement (wattlab window vs pynvml counter), torch load on GPU 0"
  CUDA_VISIBLE_DEVICES=0 node dist/bench/meter-agreement.js --load torch --repeats 3
} 2>&1 | tee "$OUT/logs/meter-agreement.txt"
{
  echo "== sharded sweep: one GPU, then one worker per GPU"
  $W build-model --format gguf --preset llama-100m --dtype f16 --out /tmp/warm.gguf >/dev/null
  rm -rf /tmp/one /tmp/two
  t0=$(date +%s.%N); CUDA_VISIBLE_DEVICES=0 GGML_VK_VISIBLE_DEVICES=0 $W sweep --spec bench/device/specs/multi-gpu.json --out /tmp/one --idle-seconds 3 --no-progress; t1=$(date +%s.%N)
  python3 bench/device/gpu_counters.py > /tmp/c0.json
  $W sweep --spec bench/device/specs/multi-gpu.json --out /tmp/two --gpus 0,1 --idle-seconds 3; t2=$(date +%s.%N)
  python3 bench/device/gpu_counters.py > /tmp/c1.json
  echo "one GPU: $(echo "$t1 - $t0" | bc) s; two GPUs: $(echo "$t2 - $t1" | bc) s"
  node bench/device/compare-shards.mjs /tmp/one/metrics.jsonl /tmp/two /tmp/c0.json /tmp/c1.json
} 2>&1 | tee "$OUT/logs/multi-gpu.txt"
mkdir -p "$OUT/multi"; cp /tmp/one/metrics.csv "$OUT/multi/one-gpu.csv"; cp /tmp/two/metrics.csv "$OUT/multi/two-gpus.csv"
tar czf "$OUT/multi/two-gpus-jsonl.tgz" -C /tmp/two . 2>/dev/null
