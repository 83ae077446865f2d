#!/usr/bin/env bash
# Builds llama.cpp for node-llama-cpp (the llama.cpp engine's binding) from the sources the package ships, offline,
# with CUDA for the GPU architectures you name. node-llama-cpp's CUDA prebuilt carries code for sm_86/89/120 only, so
# Hopper (sm_90: H100, H200), Ampere A100 (sm_80) and others need this build. The result lands in
# node_modules/node-llama-cpp/llama/localBuilds/linux-x64-cuda/, which node-llama-cpp loads before any prebuilt:
# afterwards `wattlab … --engine llama.cpp --device cuda` uses it with no option.
#
# usage (from a wattlab checkout or a `wattlab bundle --llama-source` folder):
#   scripts/llamacpp-cuda-build.sh [--archs 90] [--jobs N] [--timeout SECONDS] [--cpu] [--check]
#     --archs     CMAKE_CUDA_ARCHITECTURES, e.g. 90 or "80;90" (default 90)
#     --jobs      parallel compile jobs (default: all cores)
#     --timeout   stop the build after this many seconds (default 1800); rerun to resume where it stopped
#     --cpu       build the CPU backend instead (no CUDA; a quick check that the toolchain works)
#     --check     afterwards, build a tiny GGUF with wattlab and generate with it on the new build
# Needs: cmake ≥ 3.19, a C++ compiler, and for CUDA nvcc (a CUDA toolkit; cuBLAS from the toolkit or from the
# nvidia-cublas pip wheel of python3). No network, npm or registry. Sources, first found: node-llama-cpp/llama/llama.cpp
# (a bundle made with --llama-source has them there), else a clone of the package's llama/gitRelease.bundle (needs git).
# Env: CUDACXX (nvcc), CUBLAS_LIB, CUDA_DRIVER_LIB, LLAMA_BUILD_TREE (default /tmp/wattlab-llama-build: the build tree
# kept between runs so that a rerun resumes).
set -uo pipefail
archs=90 jobs=$(nproc) limit=1800 gpu=cuda check=0
while [ $# -gt 0 ]; do
  case $1 in
    --archs) archs=${2:?--archs needs a value}; shift ;;
    --jobs) jobs=${2:?--jobs needs a value}; shift ;;
    --timeout) limit=${2:?--timeout needs a value}; shift ;;
    --cpu) gpu=false ;;
    --check) check=1 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "llamacpp-cuda-build: unknown argument \"$1\"; see --help" >&2; exit 2 ;;
  esac
  shift
done
case $jobs$limit in *[!0-9]*) echo "llamacpp-cuda-build: --jobs and --timeout take whole numbers" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/.." && pwd); cd "$root" || exit 1
node=node; [ -x "$root/node/bin/node" ] && node=$root/node/bin/node  # a bundle made with --with-node
command -v "$node" >/dev/null || { echo "llamacpp-cuda-build: node not found: put Node ≥ 20 on PATH" >&2; exit 1; }
export PATH=$(dirname "$(command -v "$node")"):$PATH
NLC=$root/node_modules/node-llama-cpp
[ -f "$NLC/llama/CMakeLists.txt" ] || { echo "llamacpp-cuda-build: $NLC is missing: run npm ci here, or make the bundle with --engines llama.cpp" >&2; exit 1; }
command -v cmake >/dev/null || { echo "llamacpp-cuda-build: cmake not found: install cmake ≥ 3.19 (or load its module)" >&2; exit 1; }

# 1. Sources where node-llama-cpp expects its clone (llama/llama.cpp). It checks only that llama.cpp/.git and
#    llama/llama.cpp.info.json (shipped in the package: the release its binaries were built from) exist.
src=$NLC/llama/llama.cpp
if [ ! -f "$src/CMakeLists.txt" ]; then
  [ -f "$NLC/llama/gitRelease.bundle" ] || { echo "llamacpp-cuda-build: no llama.cpp sources in $src and no $NLC/llama/gitRelease.bundle to clone them from: make the bundle with \`wattlab bundle --llama-source\`, or run npm ci" >&2; exit 1; }
  command -v git >/dev/null || { echo "llamacpp-cuda-build: git is needed to unpack $NLC/llama/gitRelease.bundle (or make the bundle with \`wattlab bundle --llama-source\`, which unpacks it beforehand)" >&2; exit 1; }
  git clone --quiet "$NLC/llama/gitRelease.bundle" "$src" || exit 1
  for p in "$NLC"/llama/patches/*.diff; do [ -f "$p" ] && { git -C "$src" apply --ignore-whitespace "$p" || exit 1; }; done
fi
mkdir -p "$src/.git"

# 2. node-llama-cpp compiles through `npm run -s cmake-js-llama -- clean|compile ARGS` (= cd llama && cmake-js …),
#    having deleted its output folder first. A shim on PATH runs cmake-js itself (no npm needed), and: uses --jobs;
#    builds in a tree kept outside localBuilds/ ($LLAMA_BUILD_TREE/<folder>-<hash of the -D options>) so that a rerun
#    after a timeout resumes; then copies the outputs (Release/, bin/) to where node-llama-cpp collects them.
shim=$(mktemp -d); trap 'rm -rf "$shim"' EXIT
CMAKE_JS=$(cd "$NLC" && "$node" -p "require.resolve('cmake-js/bin/cmake-js')") || { echo "llamacpp-cuda-build: cmake-js is missing from node_modules" >&2; exit 1; }
export CMAKE_JS NLC NLC_NODE=$node NLC_JOBS=$jobs NLC_TREE=${LLAMA_BUILD_TREE:-/tmp/wattlab-llama-build}
cat > "$shim/npm" <<'EOF'
#!/usr/bin/env bash
[ "${1-} ${2-} ${3-} ${4-}" = "run -s cmake-js-llama --" ] || { echo "npm shim: unexpected 'npm $*'" >&2; exit 1; }
shift 4; cmd=$1 key=$(printf '%s\n' "$@" | grep -e '^--CD' | md5sum | cut -c1-8) args=() out=
while [ $# -gt 0 ]; do
  case $1 in
    --parallel=*) args+=("--parallel=$NLC_JOBS") ;;
    --out) out=$2; shift; args+=(--out "$NLC_TREE/$(basename "$out")-$key") ;;
    *) args+=("$1") ;;
  esac; shift
done
[ "$cmd" = clean ] && exit 0
cd "$NLC/llama" && "$NLC_NODE" "$CMAKE_JS" "${args[@]}" || exit
tree=$NLC_TREE/$(basename "$out")-$key; mkdir -p "$out/llama.cpp"; echo "npm shim: build tree $tree"
cp -a "$tree/Release" "$tree/bin" "$out/" && { [ ! -d "$tree/llama.cpp/bin" ] || cp -a "$tree/llama.cpp/bin" "$out/llama.cpp/"; }
EOF
chmod +x "$shim/npm"; export PATH=$shim:$PATH

# 3. CMake options (node-llama-cpp reads NODE_LLAMA_CPP_CMAKE_OPTION_*): the named architectures only, the default
#    FlashAttention quant pairs, no NCCL. GGML_NATIVE stays on (CPU code for this host). CI=true lets the hidden
#    --noCustomCmakeBuildOptionsInBinaryFolderName flag drop the options' hash from the folder name.
opt() { export "NODE_LLAMA_CPP_CMAKE_OPTION_$1=$2"; }
if [ "$gpu" = cuda ]; then
  command -v nvcc >/dev/null || export PATH=$PATH:/usr/local/cuda/bin
  export CUDACXX=${CUDACXX:-$(command -v nvcc)}
  [ -n "$CUDACXX" ] || { echo "llamacpp-cuda-build: nvcc not found: load a CUDA toolkit or set CUDACXX" >&2; exit 1; }
  opt CMAKE_CUDA_ARCHITECTURES "$archs"; opt GGML_CUDA_FA_ALL_QUANTS OFF; opt GGML_CUDA_NCCL OFF
  # FindCUDAToolkit looks for cuBLAS and libcuda in the toolkit only. A toolkit assembled from pip wheels has
  # neither: take cuBLAS from python3's nvidia wheels and libcuda from the driver, and put their folders (and
  # cudart's) in the RUNPATH so that nothing needs LD_LIBRARY_PATH at run time.
  tk=$("$CUDACXX" -v --dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -1)
  tk=$(readlink -f "${tk:-$(dirname "$CUDACXX")/..}")  # nvcc may be a wrapper script: ask it for its root
  tkl() { ls "$tk"/{lib64,lib,targets/x86_64-linux/lib}/$1 2>/dev/null | head -1; }
  rpath=$(tkl 'libcudart.so*'); rpath=${rpath%/*}
  if [ -z "$(tkl libcublas.so)" ]; then
    sites=$(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null)
    cublas=${CUBLAS_LIB:-$(ls $(for s in $sites; do echo "$s"/nvidia/*/lib/libcublas.so.[0-9]*; done) 2>/dev/null | head -1)}
    [ -n "$cublas" ] || { echo "llamacpp-cuda-build: cuBLAS not found (toolkit: $tk; python sites: ${sites:-none}): set CUBLAS_LIB" >&2; exit 1; }
    d=$(dirname "$cublas"); rpath=$rpath:$d
    opt CUDA_cublas_LIBRARY "$cublas"; opt CUDA_cublasLt_LIBRARY "$(ls "$d"/libcublasLt.so* | head -1)"
    mkdir -p "$NLC_TREE/cublas-include"  # only the cuBLAS headers: the wheels' include/ also holds other CUDA headers
    ln -sf "$(dirname "$d")"/include/cublas*.h "$NLC_TREE/cublas-include/" && opt CMAKE_CUDA_FLAGS "-I$NLC_TREE/cublas-include" \
      || echo "llamacpp-cuda-build: warning: no cublas*.h in $(dirname "$d")/include"
  fi
  if [ -z "$(tkl libcuda.so)$(tkl stubs/libcuda.so)" ]; then
    drv=${CUDA_DRIVER_LIB:-$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 /{print $NF; exit}')}
    drv=${drv:-$(ls /usr/local/nvidia/lib64/libcuda.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.1 2>/dev/null | head -1)}
    if [ -n "$drv" ]; then opt CUDA_cuda_driver_LIBRARY "$drv"; else opt GGML_CUDA_NO_VMM ON; fi  # NO_VMM: no libcuda link
  fi
  [ -z "$rpath" ] || opt CMAKE_SHARED_LINKER_FLAGS "-Wl,-rpath,${rpath#:}"
fi
export CI=true NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
folder=linux-x64$([ "$gpu" = false ] || echo "-$gpu")
rm -rf "$NLC/llama/localBuilds/$folder.lock"  # a killed run's lock (it goes stale only after 10 s)
echo "== llamacpp-cuda-build: gpu=$gpu archs=$([ "$gpu" = cuda ] && echo "$archs" || echo -) jobs=$jobs timeout=${limit}s $(cmake --version | head -1) nvcc=${CUDACXX:-none}"
env | grep '^NODE_LLAMA_CPP_CMAKE_OPTION_' | sed 's/^NODE_LLAMA_CPP_CMAKE_OPTION_/  -D/'
t0=$(date +%s)
timeout -k 15 "$limit" "$node" "$NLC/dist/cli/cli.js" source build --gpu "$gpu" --noUsageExample \
  --noCustomCmakeBuildOptionsInBinaryFolderName 2>&1
rc=$?
echo "== llamacpp-cuda-build: exit $rc after $(( $(date +%s) - t0 )) s$([ $rc = 124 ] && echo ' (timed out: run again to resume)')"

# 4. Where the binary is, whether it finds its libraries, and optionally a generation on it.
bin=$NLC/llama/localBuilds/$folder/Release/llama-addon.node
if [ -f "$bin" ] && [ -f "$NLC/llama/localBuilds/$folder/buildDone.status" ]; then
  echo "binary: $bin"; ls -la "$(dirname "$bin")" | grep -E '\.so|\.node'
  missing=$(ldd "$(dirname "$bin")"/*.so "$bin" 2>/dev/null | grep 'not found' | sort -u)
  echo "${missing:-all shared libraries resolve}"
  if [ "$check" = 1 ]; then
    # as a user's run sees it: without the build's environment (node-llama-cpp looks for a build named after any
    # NODE_LLAMA_CPP_CMAKE_OPTION_* variables it sees, and would miss this one)
    for v in $(env | sed -n 's/^\(NODE_LLAMA_CPP_CMAKE_OPTION_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
    unset CI NODE_LLAMA_CPP_SKIP_DOWNLOAD
    gguf=$NLC_TREE/check-tiny-f16.gguf device=$([ "$gpu" = false ] && echo cpu || echo cuda)
    "$node" bin/wattlab.js build-model --format gguf --preset tiny --dtype f16 --out "$gguf" >/dev/null \
      && "$node" bin/wattlab.js generate --model "$gguf" --engine llama.cpp --device "$device" --max-new-tokens 8 --fixed-length \
      || { echo "llamacpp-cuda-build: the check generation on --device $device failed" >&2; exit 1; }
  fi
else
  echo "binary: $bin (MISSING)"
  [ $rc != 0 ] || rc=1
fi
exit $rc
