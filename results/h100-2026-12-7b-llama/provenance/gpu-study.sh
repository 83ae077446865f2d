#!/usr/bin/env bash
# The 7B study on one GPU, every engine in turn and one step after another: no other work on the node while a
# window is open (model builds and the llama.cpp build run between windows, never during one). For each model:
# llama.cpp built for this GPU (CUDA) at F16, Q8_0 and Q4_0; Transformers as it comes and static-cache compiled
# (fp16); llama.cpp Vulkan; onnxruntime WebGPU at fp16, int8 and int4. All at 128 tokens in / 128 out, batch 1 and 4,
# REPS repetitions of the repeated-window protocol; after Vulkan, while the GGUFs are there, the serving curve:
# `wattlab serve` (llama.cpp CUDA F16) under closed-loop concurrency 1/4/16/64. After every headline cell, the F16
# extras: llama.cpp CUDA F16 again with flash attention off and with CUDA graphs off, and under Nsight Compute (the
# decode step's kernel times). The GPU's copy bandwidth is measured first.
# `node dist/bench/h100-report.js OUT` then writes OUT/REPORT.md and OUT/cells.csv from what this leaves.
#
# usage (from a wattlab checkout after npm ci, or with WATTLAB naming a `wattlab bundle` folder's launcher):
#   bench/gpu-study.sh OUT [MODEL …]          models default to llama-2-7b deepseek-r1-distill-qwen-7b
# Env:
#   WATTLAB       the wattlab command (default: node bin/wattlab.js of this checkout)
#   WATTLAB_HOME  the folder holding scripts/llamacpp-cuda-build.sh and node_modules (default: this checkout)
#   PYTHON        python3 with torch and transformers, for the Transformers paths and the bandwidth (default python3)
#   CUDA_ARCHS    what to build llama.cpp for (default: the GPU's compute capability); SKIP_CUDA_BUILD=1 keeps the build there
#   REPS (3), PER_STEP (1: the flash-attention-off, CUDA-graphs-off and Nsight Compute steps; 0 leaves them out),
#   SERVING (1: the serving curve; 0 leaves it out), ENGINES (cuda,transformers,vulkan,webgpu: the engine steps to run;
#   one left out is named in host.txt and the report says so)
#   WATTLAB_MODELS_DIR  where the 7B builds go (default OUT/../wattlab-models): one model's GGUFs need about 25 GB,
#                       its ONNX builds about 30 GB: both sets are built before the first window where the disk holds
#                       them (58 GB free for llama-2-7b, 75 GB for others), else one set at a time; WATTLAB_DATA_DIR: the
#                       Alpaca file (data/README.md)
# Writes to OUT: provenance/gpu-study.sh (this script), logs/call-gpu-study.txt (the step log, "[N s] STEP" lines and
# what each stored), logs/*.txt (each step's output), gpu-call.csv (nvidia-smi), host.txt, info.txt, bandwidth.json,
# MODEL/<engine>/metrics.jsonl and MODEL/step-split/ (Nsight Compute's kernel times of 8 and 24 new tokens).
set -u -o pipefail
[ $# -ge 1 ] && [ "$1" != -h ] && [ "$1" != --help ] || { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
OUT=$1; shift
command -v nvidia-smi >/dev/null || { echo "gpu-study: nvidia-smi not found: run this on a node with an NVIDIA GPU and its driver" >&2; exit 1; }
MODELS=${*:-llama-2-7b deepseek-r1-distill-qwen-7b}
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(dirname "$HERE")
W=${WATTLAB:-node $REPO/bin/wattlab.js}
WHOME=${WATTLAB_HOME:-$REPO}
PY=${PYTHON:-python3}
REPS=${REPS:-3}; PER_STEP=${PER_STEP:-1}; SERVING=${SERVING:-1}; ENGINES=${ENGINES:-cuda,transformers,vulkan,webgpu}
for e in ${ENGINES//,/ }; do case $e in cuda|transformers|vulkan|webgpu) ;; *) echo "gpu-study: ENGINES names '$e': use some of cuda,transformers,vulkan,webgpu, comma-separated" >&2; exit 2;; esac; done
on() { [[ ",$ENGINES," == *",$1,"* ]]; }
# The CUDA build serves the CUDA sweeps and the serving curve; the GGUFs serve llama.cpp; the ONNX builds serve WebGPU.
{ on cuda || [ "$SERVING" = 1 ]; } && NEED_CUDA=1 || NEED_CUDA=0
{ on cuda || on vulkan || [ "$SERVING" = 1 ]; } && NEED_GGUF=1 || NEED_GGUF=0
mkdir -p "$OUT/logs" "$OUT/provenance"; R=$(cd "$OUT" && pwd)
export WATTLAB_MODELS_DIR=${WATTLAB_MODELS_DIR:-$(dirname "$R")/wattlab-models} PYTHONUNBUFFERED=1
mkdir -p "$WATTLAB_MODELS_DIR"
T0=$(date +%s)
log() { echo "[$(( $(date +%s) - T0 )) s] $*" | tee -a "$R/logs/call-gpu-study.txt"; }
cp "$0" "$R/provenance/gpu-study.sh"

# Before anything: the Alpaca prompts must be there (the study's dataset; a missing file would fail every run).
if $W sweep --model tiny --dataset alpaca --plan --out "$R/.plan-check" 2>&1 | grep -q "its runs will fail"; then
  echo "gpu-study: the Alpaca file is missing: put it where data/README.md says, or set WATTLAB_DATA_DIR" >&2; exit 1
fi
ARCHS=${CUDA_ARCHS:-$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '. ')}
[ -n "$ARCHS" ] || { echo "gpu-study: nvidia-smi named no compute capability: set CUDA_ARCHS, e.g. CUDA_ARCHS=90" >&2; exit 1; }
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
nvidia-smi --query-gpu=name,driver_version,power.limit,power.draw,temperature.gpu,clocks.sm,clocks.max.mem --format=csv > "$R/gpu-call.csv"
{ df -h "$WATTLAB_MODELS_DIR"; free -g; nproc; echo "ncu: ${NCU:-none}"; echo "models: $MODELS"; echo "engines: $ENGINES"; echo "per_step: $PER_STEP"; echo "serving: $SERVING"; } > "$R/host.txt"
log "bandwidth"; $PY "$HERE/bandwidth.py" > "$R/bandwidth.json" 2> "$R/logs/bandwidth.txt"
$W info > "$R/info.txt" 2>&1

# What a step stored (the sweep's "N completed, M failed" line or meter's "stored N window rows") and its exit status,
# into the step log, where the report reads them.
said() { { grep -E '^[0-9]+ (levels? )?completed, [0-9]+ failed|stored [0-9]+ window rows?' "$1" | tail -1; tail -1 "$1"; } | tee -a "$R/logs/call-gpu-study.txt"; }
sweep() { # MODEL ENGINE DEVICE QUANTS DIR LIMIT_S [FLAGS…]; SWEEP_ENV=NAME=VALUE runs it with that variable set
  local m=$1 e=$2 d=$3 q=$4 dir=$5 limit=$6; shift 6
  log "$m $e $d $q${*:+ $*}${SWEEP_ENV:+ ($SWEEP_ENV)}"
  env ${SWEEP_ENV:-} timeout "$limit" $W sweep --model "$m" --engine "$e" --device "$d" --quantization "$q" --dataset alpaca --input-length 128 \
    --output-length 128 --batch-size 1,4 --mode grid --reps "$REPS" --idle-seconds 5 --no-progress --out "$R/$m/$dir" "$@" > "$R/logs/$m-$dir.txt" 2>&1
  echo "rc $?" >> "$R/logs/$m-$dir.txt"; said "$R/logs/$m-$dir.txt"
}
transformers() { # MODEL LIMIT_S
  log "$1 transformers static,default"
  timeout "$2" $W meter --json --store "$R/$1/transformers" --idle-seconds 5 -- $PY "$HERE/transformers_windows.py" \
    --model "$1" --variants static,default --shapes 1:128:128,4:128:128 --reps "$REPS" > "$R/logs/$1-transformers.json" 2> "$R/logs/$1-transformers.txt"
  echo "rc $?" >> "$R/logs/$1-transformers.txt"; said "$R/logs/$1-transformers.txt"
}
step_split() { # MODEL: the F16 batch-1 decode step's kernels under Nsight Compute, 8 and 24 new tokens (the difference is 16 steps)
  [ -n "$NCU" ] || { log "$1 step split skipped: no ncu"; return; }
  log "$1 llama.cpp CUDA F16 b1 under Nsight Compute: kernel time of 8 and 24 new tokens"
  mkdir -p "$R/$1/step-split"
  for n in 8 24; do
    timeout 180 "$NCU" --csv --log-file "$R/$1/step-split/ncu-$n.csv" --metrics gpu__time_duration.sum --clock-control none --cache-control none \
      --target-processes all $W generate --model "$WATTLAB_MODELS_DIR/$1-f16-synthvocab.gguf" --engine llama.cpp --device cuda --input-tokens 128 \
      --dataset alpaca --max-new-tokens $n --fixed-length --warmup 0 --measurement window --json > "$R/$1/step-split/generate-$n.json" 2> "$R/logs/$1-ncu-$n.txt"
    echo "rc $?" >> "$R/logs/$1-ncu-$n.txt"; gzip -f "$R/$1/step-split/ncu-$n.csv"
  done
}
gguf() { for d in ${2:-f16 q8_0 q4_0}; do $W build-model --preset "$1" --format gguf --dtype $d --out "$WATTLAB_MODELS_DIR/$1-$d-synthvocab.gguf" > "$R/logs/build-$1-$d.txt" 2>&1 & done; }
avail_gb() { df -BG --output=avail "$WATTLAB_MODELS_DIR" | tail -1 | tr -dc 0-9; }
# GB free for a model's GGUFs and ONNX builds side by side, 8 GB to spare (llama-2-7b's: 24.5 + 25.1 GB as written).
both_gb() { case $1 in llama-2-7b) echo 58;; *) echo 75;; esac; }
free_for_onnx() { # MODEL: drops the GGUFs before the ONNX builds; the F16 one stays for the F16 extras where 40 GB stay free
  rm -f "$WATTLAB_MODELS_DIR/$1"-q*.gguf
  { [ "$PER_STEP" = 1 ] && on cuda && [ "$(avail_gb)" -ge 40 ]; } || rm -f "$WATTLAB_MODELS_DIR/$1"-*.gguf
}
serving() { # MODEL LIMIT_S: wattlab serve (llama.cpp CUDA F16, 64 sequences of 256 tokens) under closed-loop concurrency 1/4/16/64
  log "$1 serving llama.cpp cuda fp16, concurrency 1,4,16,64"
  mkdir -p "$R/$1/serving"
  $W serve --model "$WATTLAB_MODELS_DIR/$1-f16-synthvocab.gguf" --served-model-name "$1" --engine llama.cpp --device cuda --port 8199 \
    --max-concurrency 64 --context-size 256 --meter none > "$R/$1/serving/serve.out" 2> "$R/logs/$1-serve.txt" &
  local sp=$!
  for _ in $(seq 1 120); do grep -q listening "$R/$1/serving/serve.out" && break; kill -0 $sp 2>/dev/null || break; sleep 1; done
  timeout "$2" $W sweep --engine openai --endpoint http://127.0.0.1:8199 --model "$1" --dataset alpaca --concurrency 1,4,16,64 --duration 10 \
    --input-length 128 --output-length 128 --reps 1 --idle-seconds 5 --no-progress --out "$R/$1/serving" > "$R/logs/$1-serving.txt" 2>&1
  echo "rc $?" >> "$R/logs/$1-serving.txt"; kill $sp 2>/dev/null; wait $sp 2>/dev/null; said "$R/logs/$1-serving.txt"
}
onnx() { for d in fp16 int8 int4; do $W generate --model "$1" --engine onnxruntime --device webgpu --dtype $d --input-tokens 16 --max-new-tokens 2 --warmup 0 --measurement window > "$R/logs/build-$1-onnx-$d.txt" 2>&1 & done; }

first=1
for M in $MODELS; do
  if [ $first = 1 ] && [ $NEED_CUDA = 1 ] && [ "${SKIP_CUDA_BUILD:-0}" != 1 ]; then
    log "build: llama.cpp for CUDA (sm_$ARCHS) and $M's models, side by side, before any window"
    ( cd "$WHOME" && scripts/llamacpp-cuda-build.sh --archs "$ARCHS" --timeout 1200 > "$R/logs/llamacpp-cuda-build.txt" 2>&1; echo "cuda build rc $?" >> "$R/logs/llamacpp-cuda-build.txt" ) &
  else
    log "build: $M's models"
  fi
  first=0; [ $NEED_GGUF = 1 ] && gguf "$M"; early=0; if on webgpu && { [ $NEED_GGUF = 0 ] || [ "$(avail_gb)" -ge "$(both_gb "$M")" ]; }; then early=1; onnx "$M"; fi; wait; log "builds done"
  on cuda && sweep "$M" llama.cpp cuda fp16,int8,int4 llamacpp-cuda 360
  on transformers && transformers "$M" 480
  on vulkan && sweep "$M" llama.cpp vulkan fp16,int8,int4 llamacpp-vulkan 360
  [ "$SERVING" = 1 ] && serving "$M" 180
  if on webgpu; then
    if [ $early = 0 ]; then free_for_onnx "$M"; log "build: $M's ONNX models"; onnx "$M"; wait; log "builds done"; fi
    sweep "$M" onnxruntime webgpu fp16,int8,int4 onnxruntime-webgpu 720
  fi
  # The F16 extras come after every headline cell, so a run cut short loses them first.
  if on cuda && [ "$PER_STEP" = 1 ]; then
    [ -f "$WATTLAB_MODELS_DIR/$M-f16-synthvocab.gguf" ] || { log "build: $M's F16 GGUF"; gguf "$M" f16; wait; log "builds done"; }
    sweep "$M" llama.cpp cuda fp16 llamacpp-cuda-fa-off 240 --flash-attention off
    SWEEP_ENV=GGML_CUDA_DISABLE_GRAPHS=1 sweep "$M" llama.cpp cuda fp16 llamacpp-cuda-graphs-off 240
    step_split "$M"
  fi
  rm -rf "$WATTLAB_MODELS_DIR/$M"-*
done
rm -rf "$R/.plan-check"
log "done"
