#!/usr/bin/env bash
# Session 3's last GPU step: the one WebGPU EP setting onnxruntime-node takes (validationMode on the provider object:
# bench/device/ort-config-check.mjs), basic (wattlab's default) against disabled, on the int4 decode step of LLaMA-2-7B
# (batch 1, 128 in / 128 out), one process per run, interleaved. One call, carry [".device"]:  bash bench/device/gpu-5.sh 300
set -uo pipefail
budget=${1:-300} t0=$(date +%s) O=/tmp/o5
mkdir -p "$O"
export WATTLAB_MODELS_DIR=/tmp/wattlab-models WATTLAB_DATA_DIR=$PWD/.device/data CUDA_VISIBLE_DEVICES=0
source .device/bootstrap.sh >/dev/null
[ -f .device/data.tar.xz ] && tar xJf .device/data.tar.xz -C .device
trap 'tar czf "$OUT/o5.tgz" -C "$O" .' EXIT
gen() {  # gen NAME [--ort-config K=V]
  [ $(( budget - ($(date +%s) - t0) )) -gt 40 ] || { echo "skip $1"; return; }
  local name=$1; shift
  node bin/wattlab.js generate --model llama-2-7b --dtype int4 --device webgpu --input-tokens 128 --dataset alpaca \
    --max-new-tokens 128 --fixed-length --warmup 1 --json "$@" > "$O/$name.json" 2> "$O/$name.err"
  node -e 'const m=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const s=[...m.result.decodeStepS].sort((a,b)=>a-b);
    console.log(process.argv[2], (1000*s[s.length>>1]).toFixed(2), "ms/step", (m.decode.gpuEnergyJ/s.length).toFixed(3), "J/step", JSON.stringify(m.info.sessionConfig ?? {}))' "$O/$name.json" "$name" \
    || tail -n 3 "$O/$name.err"
}
gen int4-build
for rep in 1 2 3 4 5; do
  gen int4-basic-r$rep
  gen int4-validation-disabled-r$rep --ort-config ep.webgpuexecutionprovider.validationMode=disabled
done
