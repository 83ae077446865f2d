#!/usr/bin/env bash
# GPU call 2: the seed study's one-at-a-time sweep for LLaMA-2-7B shapes on llama.cpp (Vulkan), GGUF
# F16/Q8_0/Q4_0 built there, NVML metering, idle baseline, warm-up, 3 repetitions; then the Hugging Face
# Transformers fp16 baseline at batch 1/2/4 (128 in, 128 out) reading the same NVML counter.
set -uo pipefail
source .device/bootstrap.sh
export WATTLAB_MODELS_DIR=/tmp/wattlab-models
W="node bin/wattlab.js"
mkdir -p "$OUT/llamacpp-llama2"
{
  for q in q4_0 q8_0 f16; do /usr/bin/time -f "build $q: %e s, peak RSS %M KB" $W build-model --format gguf --preset llama-2-7b --dtype $q --out /tmp/wattlab-models/llama-2-7b-$q-synthvocab.gguf; done
  df -h /tmp | tail -1
  $W sweep --spec bench/device/specs/h200-llamacpp-llama2.json --out "$OUT/llamacpp-llama2" --idle-seconds 5 --no-progress
} 2>&1 | tee "$OUT/llamacpp-llama2.log"
rm -f /tmp/wattlab-models/llama-2-7b-q8_0-synthvocab.gguf
PYTHONUNBUFFERED=1 python3 bench/hf_baseline.py --model llama-2-7b --batch 1,2,4 --input 128 --output 128 --reps 3 --out "$OUT/hf-llama-2-7b.csv" 2>&1 | grep -v Warning | tee "$OUT/hf-llama-2-7b.log"
