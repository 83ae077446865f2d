import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleRoots, llamaPrebuiltFits, packageClosure, type Platform } from "../../src/bundle/closure.js";
import { packageRoot } from "../../src/version.js";

/** Writes node_modules/<path>/package.json under `root` for each entry. */
function tree(root: string, packages: Record<string, object>): void {
  for (const [path, pkg] of Object.entries(packages)) {
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, "package.json"), JSON.stringify({ name: path.split("node_modules/").pop(), ...pkg }));
  }
}

const linuxX64: Platform = { os: "linux", cpu: "x64", libc: "glibc" };

test("the closure resolves like Node (nested first), skips other platforms' optional builds and names what is missing", (t) => {
  const root = mkdtempSync(join(tmpdir(), "wattlab-closure-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  tree(root, {
    "node_modules/app": { dependencies: { lib: "2", shared: "1" }, optionalDependencies: { "app-linux-x64": "1", "app-darwin-arm64": "1", "app-gone": "1" } },
    "node_modules/app/node_modules/lib": { dependencies: { shared: "1" } },          // app's own lib@2
    "node_modules/lib": { version: "1.0.0" },                                        // another lib, nobody's
    "node_modules/shared": {},
    "node_modules/app-linux-x64": { os: ["linux"], cpu: ["x64"] },
    "node_modules/app-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
    "node_modules/needs-ghost": { dependencies: { ghost: "1" } },
    "node_modules/musl-only": { libc: ["musl"] },
    "node_modules/uses-musl": { optionalDependencies: { "musl-only": "1" } },
  });
  const c = packageClosure({ root, roots: ["app", "needs-ghost", "uses-musl", "absent-root"], platform: linuxX64 });
  assert.deepEqual(c.packages, ["node_modules/app", "node_modules/app-linux-x64", "node_modules/app/node_modules/lib", "node_modules/needs-ghost", "node_modules/shared", "node_modules/uses-musl"]);
  // the nested lib travels inside app's folder; the unused top-level lib stays behind
  assert.deepEqual(c.folders, ["node_modules/app", "node_modules/app-linux-x64", "node_modules/needs-ghost", "node_modules/shared", "node_modules/uses-musl"]);
  assert.deepEqual(c.missing.sort(), ["absent-root ← wattlab", "ghost ← needs-ghost"]);
});

test("node-llama-cpp prebuilts: by backend, and by name (their cpu lists also name x64 for the Arm builds)", (t) => {
  const root = mkdtempSync(join(tmpdir(), "wattlab-closure-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const prebuilts = ["linux-x64", "linux-x64-vulkan", "linux-x64-cuda", "linux-x64-cuda-ext", "linux-arm64", "mac-arm64-metal"];
  tree(root, {
    "node_modules/node-llama-cpp": { optionalDependencies: Object.fromEntries(prebuilts.map((p) => [`@node-llama-cpp/${p}`, "3"])) },
    ...Object.fromEntries(prebuilts.map((p) => [`node_modules/@node-llama-cpp/${p}`, p === "linux-arm64" ? { os: ["linux"], cpu: ["arm64", "x64"] } : {}])),
  });
  const names = (backends: ("cpu" | "vulkan" | "cuda")[]) => packageClosure({ root, roots: ["node-llama-cpp"], platform: linuxX64, llamaBackends: backends }).packages;
  assert.deepEqual(names(["cpu", "vulkan"]), ["node_modules/@node-llama-cpp/linux-x64", "node_modules/@node-llama-cpp/linux-x64-vulkan", "node_modules/node-llama-cpp"]);
  assert.deepEqual(names(["cuda"]), ["node_modules/@node-llama-cpp/linux-x64-cuda", "node_modules/@node-llama-cpp/linux-x64-cuda-ext", "node_modules/node-llama-cpp"]);
  assert.equal(llamaPrebuiltFits("@node-llama-cpp/mac-arm64-metal", { os: "darwin", cpu: "arm64", libc: null }), true);
  assert.equal(llamaPrebuiltFits("@node-llama-cpp/linux-arm64", linuxX64), false);
});

test("on this checkout, the onnxruntime bundle carries the engine and the meters' native parts, not the notebook tooling", () => {
  const c = packageClosure({ root: packageRoot(), roots: bundleRoots(["onnxruntime"]) });
  assert.deepEqual(c.missing, []);
  for (const p of ["onnxruntime-node", "onnxruntime-common", "koffi", "@huggingface/tokenizers", "hyparquet"]) assert.ok(c.folders.includes(`node_modules/${p}`), p);
  if (process.platform === "linux" && process.arch === "x64") assert.ok(c.folders.includes("node_modules/@koromix/koffi-linux-x64"));
  for (const p of ["tslab", "typescript", "danfojs-node", "plotly.js-dist-min", "node-llama-cpp"]) assert.ok(!c.packages.includes(`node_modules/${p}`), p);
});
