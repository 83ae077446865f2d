#!/usr/bin/env bash
# Session 3's second GPU step (bench/notes/gpu-paths.md, v2): does the WebGPU EP's submit batching set the int4 decode
# step? The profiles put int4's GPU kernels at about half of its step time; Dawn on Vulkan pays a vkQueueSubmit every
# `maxNumPendingDispatches` (default 16) dispatches. One process per setting (the EP keeps its WebGPU context per
# process), LLaMA-2-7B at batch 1, 128 in / 128 out, a warm-up generation first, settings interleaved over repetitions.
#   one call, carry [".device"]:  bash bench/device/gpu-4.sh 570      (seconds this script may take in all)
# As run in session 3. Those session config entries never reached the EP (bench/device/ort-config-check.mjs), so the
# runs measured the defaults' spread; today's wattlab refuses these keys, and gpu-5.sh sets the one option it can.
set -uo pipefail
budget=${1:-700} t0=$(date +%s) O=/tmp/o
mkdir -p "$O/ort-config"
export WATTLAB_MODELS_DIR=/tmp/wattlab-models WATTLAB_DATA_DIR=$PWD/.device/data CUDA_VISIBLE_DEVICES=0 GGML_VK_VISIBLE_DEVICES=0
source .device/bootstrap.sh >/dev/null
[ -f .device/data.tar.xz ] && tar xJf .device/data.tar.xz -C .device
left() { echo $(( budget - ($(date +%s) - t0) )); }
pack() { tar czf "$OUT/o.tgz" -C "$O" . 2>/dev/null; ls -la "$OUT/o.tgz"; }
trap pack EXIT
K=ep.webgpuexecutionprovider
gen() {  # gen NAME DTYPE [--ort-config K=V ...]
  local name=$1 dtype=$2; shift 2
  [ "$(left)" -gt 60 ] || { echo "skip $name: $(left) s left"; return; }
  echo "== $name ($(left) s left)"
  timeout $(( $(left) - 30 )) node bin/wattlab.js generate --model llama-2-7b --dtype "$dtype" --device webgpu --input-tokens 128 \
    --dataset alpaca --max-new-tokens 128 --fixed-length --warmup 1 --json "$@" > "$O/ort-config/$name.json" 2> "$O/ort-config/$name.err"
  echo "rc=$? $(node -e '
    const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const s = [...m.result.decodeStepS].sort((a, b) => a - b), p50 = s[s.length >> 1];
    console.log(`decode p50 ${(1000 * p50).toFixed(2)} ms/step = ${(1 / p50).toFixed(1)} tok/s; decode GPU ${(m.decode.gpuEnergyJ / s.length).toFixed(3)} J/step`);
  ' "$O/ort-config/$name.json" 2>/dev/null)"
  tail -n 2 "$O/ort-config/$name.err"
}
# builds first (not timed here: wattlab builds a preset on first use)
gen int4-default-build int4
for rep in 1 2; do
  gen int4-p16-r$rep int4
  for p in 4 64 256 1024; do gen int4-p$p-r$rep int4 --ort-config $K.maxNumPendingDispatches=$p; done
  gen int4-novalidation-r$rep int4 --ort-config $K.validationMode=disabled
done
gen int4-graphcapture int4 --ort-config $K.enableGraphCapture=1
gen fp16-default-build fp16
for p in 16 64 256; do gen fp16-p$p fp16 --ort-config $K.maxNumPendingDispatches=$p; done
