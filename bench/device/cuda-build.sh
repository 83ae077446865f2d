#!/usr/bin/env bash
# Builds node-llama-cpp's llama.cpp addon from source, offline, with CUDA for sm_90 (H200) only.
#   usage (repo root, after `source .device/bootstrap.sh`):  bash bench/device/cuda-build.sh [timeout_s=420] [gpu=cuda|false]
#   env: CUDA_BUILD_JOBS (default nproc), CUDA_ARCHS (default 90), CUDA_BUILD_CHECK_GPU (GPU index for a load check)
# Needs node on PATH, node_modules/ (the device closure: node-llama-cpp, cmake-js, node-api-headers, node-addon-api),
# cmake, a C++ compiler and, for CUDA, nvcc. No npm, git or network: the llama.cpp sources come from
# .cudasrc/llama.cpp.tar.xz (node-llama-cpp's gitRelease.bundle checkout, its PR-22566 patch applied, build dirs only).
# The build lands in node_modules/node-llama-cpp/llama/localBuilds/linux-x64-cuda/, which
# getLlama({ gpu: "cuda" }) tries before any prebuilt binary (build: "never" included): no runtime option needed.
set -uo pipefail
limit=${1:-420} gpu=${2:-cuda}
root=$(cd "$(dirname "$0")/../.." && pwd); cd "$root" || exit 1
export NLC=$root/node_modules/node-llama-cpp
[ -f "$NLC/llama/CMakeLists.txt" ] || { echo "cuda-build: $NLC/llama missing (run the device bootstrap first)"; exit 1; }
[ -f .cudasrc/node_modules.tar.xz ] && tar xJf .cudasrc/node_modules.tar.xz  # extra packages, only if the kit has any

# 1. Sources where node-llama-cpp expects its clone (llama/llama.cpp). It only checks that llama.cpp/.git and
#    llama/llama.cpp.info.json (shipped in the package, tag v0.4.0 = the bundled release) exist; git is never run.
if [ ! -f "$NLC/llama/llama.cpp/CMakeLists.txt" ]; then
  tar xJf .cudasrc/llama.cpp.tar.xz -C "$NLC/llama" || { echo "cuda-build: cannot unpack .cudasrc/llama.cpp.tar.xz"; exit 1; }
fi
mkdir -p "$NLC/llama/llama.cpp/.git"

# 2. node-llama-cpp compiles through `npm run -s cmake-js-llama -- clean|compile ARGS` (= cd llama && cmake-js ...),
#    having deleted its output folder first. The device has no npm, so a shim on PATH runs cmake-js itself, and: uses
#    every core (or $CUDA_BUILD_JOBS; node-llama-cpp asks for nproc-2); builds in a tree kept outside localBuilds/
#    ($CUDA_BUILD_TREE/<folder>-<hash of the -D options>) so that rerunning after a timeout resumes; then copies the
#    outputs (Release/, bin/) to where node-llama-cpp collects them.
shim=$(mktemp -d); trap 'rm -rf "$shim"' EXIT
CMAKE_JS=$(cd "$NLC" && node -p "require.resolve('cmake-js/bin/cmake-js')") || exit 1
export CMAKE_JS NLC_JOBS=${CUDA_BUILD_JOBS:-$(nproc)} NLC_TREE=${CUDA_BUILD_TREE:-/tmp/nlc-build}
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
cd "$NLC/llama" && node "$CMAKE_JS" "${args[@]}" || exit
tree=$NLC_TREE/$(basename "$out")-$key; mkdir -p "$out/llama.cpp"; echo "npm shim: build tree $tree"
cp -a "$tree/Release" "$tree/bin" "$out/" && { [ ! -d "$tree/llama.cpp/bin" ] || cp -a "$tree/llama.cpp/bin" "$out/llama.cpp/"; }
EOF
chmod +x "$shim/npm"; export PATH=$shim:$PATH

# 3. CMake options (node-llama-cpp reads NODE_LLAMA_CPP_CMAKE_OPTION_*): sm_90 only, the default 4 FlashAttention
#    quant pairs, no NCCL. GGML_NATIVE stays on (CPU code for this host). CI=true lets the hidden
#    --noCustomCmakeBuildOptionsInBinaryFolderName flag drop the options' hash from the folder name.
opt() { export "NODE_LLAMA_CPP_CMAKE_OPTION_$1=$2"; }
if [ "$gpu" = cuda ]; then
  command -v nvcc >/dev/null || export PATH=$PATH:/usr/local/cuda/bin
  export CUDACXX=${CUDACXX:-$(command -v nvcc)}
  [ -n "$CUDACXX" ] || { echo "cuda-build: nvcc not found"; exit 1; }
  opt CMAKE_CUDA_ARCHITECTURES "${CUDA_ARCHS:-90}"; opt GGML_CUDA_FA_ALL_QUANTS OFF; opt GGML_CUDA_NCCL OFF
  # FindCUDAToolkit looks for cuBLAS and libcuda in the toolkit only. A toolkit assembled from pip wheels (as on
  # this image) has neither: take cuBLAS from python3's nvidia wheels (torch's) and libcuda from the driver, and
  # put their folders (and cudart's) in the RUNPATH so that nothing needs LD_LIBRARY_PATH at run time.
  tk=$("$CUDACXX" -v --dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -1)
  tk=$(readlink -f "${tk:-$(dirname "$CUDACXX")/..}")  # nvcc may be a wrapper script: ask it for its root
  tkl() { ls "$tk"/{lib64,lib,targets/x86_64-linux/lib}/$1 2>/dev/null | head -1; }
  rpath=$(tkl 'libcudart.so*'); rpath=${rpath%/*}
  if [ -z "$(tkl libcublas.so)" ]; then
    sites=$(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null)
    cublas=${CUBLAS_LIB:-$(ls $(for s in $sites; do echo "$s"/nvidia/*/lib/libcublas.so.[0-9]*; done) 2>/dev/null | head -1)}
    [ -n "$cublas" ] || { echo "cuda-build: cuBLAS not found (toolkit: $tk; python sites: $sites)"; exit 1; }
    d=$(dirname "$cublas"); rpath=$rpath:$d
    opt CUDA_cublas_LIBRARY "$cublas"; opt CUDA_cublasLt_LIBRARY "$(ls "$d"/libcublasLt.so* | head -1)"
    mkdir -p "$NLC_TREE/cublas-include"  # only the cuBLAS headers: the wheels' include/ also holds other CUDA headers
    ln -sf "$(dirname "$d")"/include/cublas*.h "$NLC_TREE/cublas-include/" && opt CMAKE_CUDA_FLAGS "-I$NLC_TREE/cublas-include" \
      || echo "cuda-build: warning: no cublas*.h in $(dirname "$d")/include"
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
echo "== cuda-build: gpu=$gpu jobs=$NLC_JOBS timeout=${limit}s cmake=$(cmake --version | head -1) nvcc=${CUDACXX:-none}"
env | grep '^NODE_LLAMA_CPP_CMAKE_OPTION_' | sed 's/^NODE_LLAMA_CPP_CMAKE_OPTION_/  -D/'
t0=$(date +%s)
timeout -k 15 "$limit" node "$NLC/dist/cli/cli.js" source build --gpu "$gpu" --noUsageExample \
  --noCustomCmakeBuildOptionsInBinaryFolderName 2>&1
rc=$?
echo "== cuda-build: exit $rc after $(( $(date +%s) - t0 )) s$([ $rc = 124 ] && echo ' (timed out)')"

# 4. Where the binary is, and whether it loads its libraries.
bin=$NLC/llama/localBuilds/$folder/Release/llama-addon.node
if [ -f "$bin" ] && [ -f "$NLC/llama/localBuilds/$folder/buildDone.status" ]; then
  echo "binary: $bin (exists)"; ls -la "$(dirname "$bin")" | grep -E '\.so|\.node'
  missing=$(ldd "$(dirname "$bin")"/*.so "$bin" 2>/dev/null | grep 'not found' | sort -u)
  echo "${missing:-all shared libraries resolve}"
  # Optional: load it the way wattlab does and generate (CUDA_BUILD_CHECK_GPU=<index>; a CPU build always checks).
  if [ "$gpu" = false ] || [ -n "${CUDA_BUILD_CHECK_GPU:-}" ]; then
    CUDA_VISIBLE_DEVICES=${CUDA_BUILD_CHECK_GPU:-${CUDA_VISIBLE_DEVICES:-}} timeout 120 node bench/device/llama-local-check.mjs "$gpu"
  fi
else
  echo "binary: $bin (MISSING)"
fi
exit $rc
