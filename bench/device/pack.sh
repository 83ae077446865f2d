#!/usr/bin/env bash
# Packs a GPU run's needs into .device/ (carried with `carry: [".device"]`, 64 MiB at most):
# Node, the Vulkan loader and bootstrap.sh from ../shared/device/pack.sh, wattlab's compiled dist/, and
# only the node_modules the CLI needs on the device (bench/device/closure.mjs) — the whole trimmed
# node_modules measured 73 MB here, over the limit, mostly llama.cpp's source bundle and notebook tooling.
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
node node_modules/typescript/bin/tsc -p .  # not npx: npm may link tslab's older bundled tsc as .bin/tsc
DEVICE_NODE_MODULES="koffi" bash ../shared/device/pack.sh dist >/dev/null
mods=$(node bench/device/closure.mjs)
# shellcheck disable=SC2086
tar cf - --exclude='*/bin/napi-v*/darwin' --exclude='*/bin/napi-v*/win32' --exclude='*/bin/napi-v*/linux/arm64' \
  --exclude='node_modules/node-llama-cpp/llama/gitRelease.bundle' --exclude='*.map' \
  $(for m in $mods; do echo "node_modules/$m"; done) | xz -T2 -6 > .device/node_modules.tar.xz
du -sh .device | awk '{print "packed .device/: " $1 " (limit 64M)"}'
# The small third-party fixtures the GPU tests use (read from .device/shared via WATTLAB_SHARED there): 6.7 MB,
# only with WITH_FIXTURES=1 — the call carries the working tree too, 64 MiB in all.
if [ "${WITH_FIXTURES:-0}" = 1 ]; then
  mkdir -p .device/shared/fixtures/models .device/shared/fixtures/gguf
  cp -r ../shared/fixtures/models/tiny-random-llama-fp16 .device/shared/fixtures/models/
  cp ../shared/fixtures/gguf/stories260K.gguf .device/shared/fixtures/gguf/
  echo "# shared fixtures subset for GPU checks" > .device/shared/README.md
fi
# The datasets, inside .device: a separately carried folder was gone from the machine after a later call
# that did not name it, while .device stayed (session 2). Read there with WATTLAB_DATA_DIR=$PWD/.device/data.
mkdir -p .device/data/alpaca .device/data/gsm8k
cp ../shared/datasets/alpaca/alpaca_5000.json .device/data/alpaca/ && cp ../shared/datasets/gsm8k/test.jsonl .device/data/gsm8k/
chmod -R u+w .device/data
# compressed (2.8 MB -> 0.7 MB) so that .device, .cudasrc and the tree fit one call; the plans unpack it
tar cJf .device/data.tar.xz -C .device data && rm -rf .device/data
du -sh .device | awk '{print "with data" (ENVIRON["WITH_FIXTURES"] == "1" ? " and fixtures" : "") ": " $1}'
