// device "auto" for onnxruntime: file checks first, then a probe in a child process that cannot hang the caller,
// remembered per process and in a cache file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  cachedProbe, chooseOnnxRuntimeDevice, probeCacheFile, probeProviderInChild, type ProviderProbe,
} from "../../../src/engine/onnxruntime/auto-device.js";
import type { ExecutionProvider } from "../../../src/engine/types.js";

test("the child-process probe opens a real session on the CPU, and a probe past its time limit is killed and reported", async () => {
  assert.deepEqual(await probeProviderInChild("cpu"), { ok: true, reason: null });
  const started = Date.now();
  const late = await probeProviderInChild("cpu", 1);
  assert.equal(late.ok, false);
  assert.match(late.reason ?? "", /did not finish within/);
  assert.ok(Date.now() - started < 5_000);
});

/** Probe results go to a cache file of the test's own, never the user's. */
function ownCache(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-probe-"));
  const before = process.env.WATTLAB_CACHE;
  process.env.WATTLAB_CACHE = dir;
  t.after(() => {
    if (before === undefined) delete process.env.WATTLAB_CACHE; else process.env.WATTLAB_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test("auto takes the first provider that passes its file checks and its probe; cpu is never probed", async (t) => {
  ownCache(t);
  const probed: ExecutionProvider[] = [];
  const probe = async (device: ExecutionProvider): Promise<ProviderProbe> => { probed.push(device); return { ok: true, reason: null }; };
  const webgpu = await chooseOnnxRuntimeDevice({
    staticStatus: async () => [{ device: "cpu", reason: null }, { device: "webgpu", reason: null }, { device: "cuda", reason: "CUDA EP binaries missing (x.so); install them" }],
    probe,
  });
  assert.equal(webgpu.device, "webgpu");
  assert.deepEqual(webgpu.passedOver, [{ device: "cuda", reason: "CUDA EP binaries missing (x.so); install them" }]);
  assert.match(webgpu.because, /^device auto → webgpu /);

  const cpu = await chooseOnnxRuntimeDevice({
    staticStatus: async () => [{ device: "cpu", reason: null }, { device: "webgpu", reason: "no GPU device here" }, { device: "cuda", reason: "CUDA EP binaries missing (x.so); install them" }],
    probe,
  });
  assert.equal(cpu.device, "cpu");
  assert.equal(cpu.because, "device auto → cpu (cuda: CUDA EP binaries missing (x.so); webgpu: no GPU device here; `wattlab info` says more)");
  assert.deepEqual(probed, ["webgpu"], "only a provider that passed its file checks is probed");
});

test("a probe runs once: remembered in the process and, across processes, in the cache file", async (t) => {
  const dir = ownCache(t);
  let calls = 0;
  const failing = async (): Promise<ProviderProbe> => { calls++; return { ok: false, reason: "no adapter (test)" }; };
  assert.deepEqual(await cachedProbe("webgpu", failing), { ok: false, reason: "no adapter (test)" });
  assert.deepEqual(await cachedProbe("webgpu", failing), { ok: false, reason: "no adapter (test)" });
  assert.equal(calls, 1);
  assert.ok(existsSync(probeCacheFile()));
  assert.match(readFileSync(probeCacheFile(), "utf8"), /no adapter \(test\)/);
  // another process reads the file instead of probing (its probe would throw)
  const module = pathToFileURL(join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../../../src/engine/onnxruntime/auto-device.js")).href;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e",
    `const m = await import(${JSON.stringify(module)}); const r = await m.cachedProbe("webgpu", async () => { throw new Error("probed again"); }); console.log(JSON.stringify(r));`],
  { encoding: "utf8", env: { ...process.env, WATTLAB_CACHE: dir } });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { ok: false, reason: "no adapter (test)" });
});
