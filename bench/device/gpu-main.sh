#!/usr/bin/env bash
# The one GPU call this session could afford (single H200): device facts, WebGPU KV residency, meter
# agreement with pynvml, then the LLaMA-2-7B seed sweep on llama.cpp Vulkan and the Transformers baseline.
set -uo pipefail
source .device/bootstrap.sh >/dev/null
export WATTLAB_SHARED=$PWD/.device/shared WATTLAB_MODELS_DIR=/tmp/wattlab-models
W="node bin/wattlab.js"
mkdir -p "$OUT/llamacpp-llama2"
{
  echo "== info"; $W info
  echo "== webgpu KV residency: llama-100m fp16, batch 1, 128 in, 128 out"
  for kv in device host; do echo "-- kv-cache $kv"; $W generate --model llama-100m --dtype fp16 --device webgpu --input-tokens 128 --max-new-tokens 128 --fixed-length --kv-cache $kv; done
  echo "== meter agreement (wattlab window vs pynvml reading of the same counter), torch load"
  timeout 120 node dist/bench/meter-agreement.js --load torch --repeats 2
} 2>&1 | tee "$OUT/checks.log"
{
  for q in q4_0 q8_0 f16; do /usr/bin/time -f "build $q: %e s, peak RSS %M KB" $W build-model --format gguf --preset llama-2-7b --dtype $q --out /tmp/wattlab-models/llama-2-7b-$q-synthvocab.gguf; done
  $W sweep --spec bench/device/specs/h200-llamacpp-llama2.json --out "$OUT/llamacpp-llama2" --idle-seconds 5 --no-progress
} 2>&1 | tee "$OUT/llamacpp-llama2.log"
PYTHONUNBUFFERED=1 timeout 170 python3 bench/hf_baseline.py --model llama-2-7b --batch 1,2,4 --input 128 --output 128 --reps 3 --out "$OUT/hf-llama-2-7b.csv" 2>&1 | grep -v -i warn | tee "$OUT/hf-llama-2-7b.log"
