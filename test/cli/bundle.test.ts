import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitCommit, packageRoot } from "../../src/version.js";

const wattlab = (args: string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", env, timeout: 120_000 });

/**
 * A PATH holding only what the bundle's launcher calls (sh tools and ldconfig), not node: whatever runs must be the
 * bundle's own Node. Node is not on NODE_PATH either, and the folders sit in the system temp folder, outside the repo.
 */
function bareEnv(dir: string): NodeJS.ProcessEnv {
  const bin = join(dir, "tools");
  mkdirSync(bin, { recursive: true });
  for (const tool of ["sh", "dirname", "grep", "ldconfig"]) {
    const found = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (found) symlinkSync(found, join(bin, tool));
  }
  return { PATH: bin, HOME: dir, WATTLAB_MODELS_DIR: join(dir, "models"), WATTLAB_OFFLINE: "1", HF_HUB_OFFLINE: "1" };
}

test("wattlab bundle packs an onnxruntime CLI with its own Node that runs from a copy with nothing else around", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-bundle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Stand-ins for the Vulkan loader and the libglvnd libraries NVIDIA's driver needs, found through LD_LIBRARY_PATH as
  // the bundler looks there first (this machine need not have the real ones; the launcher only checks their names)
  const libs = join(dir, "system-libs");
  mkdirSync(libs);
  for (const so of ["libvulkan.so.1", "libGLdispatch.so.0", "libEGL.so.1"]) writeFileSync(join(libs, so), `stand-in for ${so}\n`);
  const made = wattlab(["bundle", "--out", join(dir, "packed"), "--engines", "onnxruntime", "--with-node"], { ...process.env, LD_LIBRARY_PATH: libs });
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /^bundle: .*packed, \d+(\.\d)? MiB \(node_modules \d+(\.\d)? MiB, .*node \d+(\.\d)? MiB, lib /m);
  assert.match(made.stdout, /Vulkan loader: .*libvulkan\.so\.1 \(\+ libGLdispatch\.so\.0, libEGL\.so\.1\)/);

  // moved elsewhere, as onto another machine
  const copy = join(dir, "elsewhere", "wattlab");
  cpSync(join(dir, "packed"), copy, { recursive: true, verbatimSymlinks: true });
  rmSync(join(dir, "packed"), { recursive: true, force: true });
  const env = bareEnv(dir);
  const run = (...args: string[]) => spawnSync(join(copy, "wattlab"), args, { encoding: "utf8", env, cwd: dir, timeout: 120_000 });
  const which = spawnSync("sh", ["-c", "command -v node"], { env, encoding: "utf8" });
  assert.ok(which.status !== 0 && which.stdout === "", "node must not be on the bare PATH");

  const help = run("--help");
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^ {2}bundle +pack the CLI/m);
  // every command a node runs loads from the bundle, whose packages are the engines' and the meter's alone (no danfojs,
  // no tslab): --help loads the command's module and all it imports
  for (const command of ["sweep", "serve", "meter", "merge", "compare", "generate", "info", "slurm", "build-model", "quantize", "profile"]) {
    const loaded = run(command, "--help");
    assert.equal(loaded.status, 0, `wattlab ${command} --help from the bundle: ${loaded.stderr}`);
  }

  const info = run("info", "--json");
  assert.equal(info.status, 0, info.stderr);
  const facts = JSON.parse(info.stdout) as { commit: string | null; node: string; executionProviders: { name: string; available: boolean }[] };
  assert.equal(facts.commit, gitCommit(), "the bundle reports the commit it was packed from");
  assert.equal(facts.node, process.version);
  assert.ok(facts.executionProviders.find((p) => p.name === "cpu")?.available);
  // the launcher put the carried lib/ on LD_LIBRARY_PATH (this machine's loader cache has no libvulkan.so.1)
  const cached = spawnSync("sh", ["-c", "ldconfig -p 2>/dev/null || /sbin/ldconfig -p"], { encoding: "utf8" }).stdout ?? "";
  if (!cached.includes("libvulkan.so.1 ")) assert.ok(facts.executionProviders.find((p) => p.name === "webgpu")?.available, "webgpu sees the carried loader");

  const gen = run("generate", "--model", "tiny", "--input-tokens", "16", "--max-new-tokens", "5", "--fixed-length", "--json");
  assert.equal(gen.status, 0, gen.stderr);
  const m = JSON.parse(gen.stdout) as { result: { outputTokens: number; decodeStepS: number[] } };
  assert.equal(m.result.outputTokens, 5);
  assert.ok(existsSync(join(dir, "models")), "the model was built under WATTLAB_MODELS_DIR");

  // nothing outside the folder is reachable: a package wattlab's checkout has but the bundle does not carry
  const reach = spawnSync(join(copy, "node", "bin", "node"), ["-e", "import('typescript').then(() => process.exit(0), () => process.exit(3))"], { cwd: copy, env, encoding: "utf8" });
  assert.equal(reach.status, 3, "typescript must not resolve from inside the bundle");
});

test("a llama.cpp bundle (no Node carried) generates from a GGUF with the node on PATH, says onnxruntime is absent, and carries a CUDA build kit", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-bundle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "llama");
  // --llama-source unpacks node-llama-cpp's git bundle of llama.cpp, which needs git here
  const git = spawnSync("git", ["--version"]).status === 0;
  if (!git) t.diagnostic("no git on this machine: the llama.cpp sources part is not checked");
  const made = wattlab(["bundle", "--out", out, "--engines", "llama.cpp", "--llama-backends", "cpu", ...(git ? ["--llama-source"] : [])]);
  assert.equal(made.status, 0, made.stderr);
  assert.ok(!existsSync(join(out, "node")), "no Node without --with-node");
  const llama = join(out, "node_modules", "node-llama-cpp", "llama");
  assert.ok(!existsSync(join(llama, "gitRelease.bundle")), "llama.cpp's git bundle stays behind: its sources come unpacked");
  if (git) for (const part of ["CMakeLists.txt", "ggml/src/ggml-cuda", "src", "common", ".git"]) assert.ok(existsSync(join(llama, "llama.cpp", part)), part);
  assert.ok(existsSync(join(out, "node_modules", "cmake-js", "package.json")), "the build's cmake-js travels");
  const env = { PATH: `${join(process.execPath, "..")}:/usr/bin:/bin`, HOME: dir, WATTLAB_MODELS_DIR: join(dir, "models") };
  const run = (...args: string[]) => spawnSync(join(out, "wattlab"), args, { encoding: "utf8", env, cwd: dir, timeout: 120_000 });
  const gguf = join(dir, "tiny-f16.gguf");
  const build = run("build-model", "--format", "gguf", "--preset", "tiny", "--dtype", "f16", "--out", gguf);
  assert.equal(build.status, 0, build.stderr);
  const gen = run("generate", "--model", gguf, "--engine", "llama.cpp", "--device", "cpu", "--input-tokens", "16", "--max-new-tokens", "4", "--fixed-length", "--json");
  assert.equal(gen.status, 0, gen.stderr);
  assert.equal((JSON.parse(gen.stdout) as { result: { outputTokens: number } }).result.outputTokens, 4);
  const info = run("info");
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /onnxruntime +missing — onnxruntime-node does not load here/);
  // the build script travels with them (the build itself needs a CUDA toolkit: README, "Air-gapped nodes")
  if (!git) return;
  const script = join(out, "scripts", "llamacpp-cuda-build.sh");
  const help = spawnSync(script, ["--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage \(from a wattlab checkout or a `wattlab bundle --llama-source` folder\):/m);
  const bad = spawnSync(script, ["--jobs", "many"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim(), "llamacpp-cuda-build: --jobs and --timeout take whole numbers");
});

test("wattlab bundle refuses a folder that is not empty, an unknown engine and a missing --out, each in one line", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-bundle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "keep.txt"), "mine");
  const full = wattlab(["bundle", "--out", dir, "--engines", "onnxruntime"]);
  assert.equal(full.status, 1);
  assert.match(full.stderr.trim(), /^wattlab bundle: --out .* exists and is not empty: name a new folder$/);
  const engine = wattlab(["bundle", "--out", join(dir, "x"), "--engines", "onnxruntime,tensorrt"]);
  assert.equal(engine.status, 2);
  assert.equal(engine.stderr.trim(), 'wattlab bundle: --engines "tensorrt" is not one of onnxruntime, llama.cpp');
  const noOut = wattlab(["bundle"]);
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr.trim(), /^wattlab bundle: name the folder to create/);
  const source = wattlab(["bundle", "--out", join(dir, "y"), "--engines", "onnxruntime", "--llama-source"]);
  assert.equal(source.status, 1);
  assert.match(source.stderr.trim(), /--llama-source needs the llama\.cpp engine: add --engines llama\.cpp$/);
  assert.ok(!existsSync(join(dir, "x")) && !existsSync(join(dir, "y")), "nothing is written on refusal");
});
