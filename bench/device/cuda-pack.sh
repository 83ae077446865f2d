#!/usr/bin/env bash
# Packs the offline llama.cpp source-build kit into .cudasrc/ (carried to the device next to .device/; used by
# bench/device/cuda-build.sh):
#   llama.cpp.tar.xz     node-llama-cpp's bundled llama.cpp release (llama/gitRelease.bundle) checked out, with the
#                        patches `node-llama-cpp source download` applies, cut to what llama/CMakeLists.txt builds
#   node_modules.tar.xz  packages the build needs that bench/device/closure.mjs leaves out: closure.mjs follows only
#                        top-level names, but cmake-js's nested yargs/cliui/string-width reach top-level emoji-regex
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
nlc=node_modules/node-llama-cpp
grep -qx '/.cudasrc/' .git/info/exclude 2>/dev/null || echo '/.cudasrc/' >> .git/info/exclude
rm -rf .cudasrc && mkdir -p .cudasrc
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
git clone --quiet "$nlc/llama/gitRelease.bundle" "$tmp/llama.cpp" 2>/dev/null
for p in "$nlc"/llama/patches/*.diff; do git -C "$tmp/llama.cpp" apply --ignore-whitespace "$(readlink -f "$p")"; done
# tests/examples/tools/app are off when llama.cpp is a subproject; models/docs/gguf-py are not built at all
(cd "$tmp/llama.cpp" && tar cf - --owner=0 --group=0 --sort=name --transform 's,^,llama.cpp/,' \
  CMakeLists.txt LICENSE licenses cmake ggml src include common vendor grammars) | xz -T2 -9 > .cudasrc/llama.cpp.tar.xz
# node resolution (nested node_modules first) from the build's packages; keep what the device closure lacks
need=$(node -e '
  const fs = require("fs"), path = require("path"), root = path.resolve("node_modules"), seen = new Set(), top = new Set();
  const find = (dir, n) => { for (let d = dir; d.startsWith(root); d = path.dirname(d)) {
    const p = path.join(d.endsWith("node_modules") ? d : path.join(d, "node_modules"), n);
    if (fs.existsSync(path.join(p, "package.json"))) return p; } return null; };
  const visit = (p) => { if (!p || seen.has(p)) return; seen.add(p); top.add(path.relative(root, p).split("/node_modules/")[0]);
    for (const d of Object.keys(require(path.join(p, "package.json")).dependencies ?? {})) visit(find(p, d)); };
  ["node-llama-cpp", "cmake-js", "node-addon-api", "node-api-headers"].forEach((n) => visit(path.join(root, n)));
  console.log([...top].join("\n"));')
have=$(node bench/device/closure.mjs | tr ' ' '\n')
extra=$(comm -23 <(sort <<<"$need") <(sort <<<"$have"))
if [ -n "$extra" ]; then
  # shellcheck disable=SC2046
  tar cf - $(for m in $extra; do echo "node_modules/$m"; done) | xz -T2 -9 > .cudasrc/node_modules.tar.xz
fi
echo "extra node_modules: ${extra:-none}"; du -ah .cudasrc | sort -h
