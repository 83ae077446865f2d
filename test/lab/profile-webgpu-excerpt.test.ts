// GPU timestamps of a real WebGPU profile (an excerpt: test/fixtures/onnxruntime-profile/README.md): the summary's
// per-run GPU figures against sums taken here straight from the raw events, run by run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readProfile, summarizeProfile, summarizeProfileEvents, type TraceEvent } from "../../src/engine/onnxruntime/profile.js";
import { formatProfile } from "../../src/lab/profile.js";
import { repoRoot } from "../support/shared.js";

const file = join(repoRoot, "test", "fixtures", "onnxruntime-profile", "webgpu-int4-excerpt.json");
const events = JSON.parse(readFileSync(file, "utf8")) as TraceEvent[];
const runs = events.filter((e) => e.name === "model_run").sort((a, b) => a.ts! - b.ts!);
const LAST3 = [61, 62, 63];
/** A run's events of one category, by the run's own wall window [start, start + dur]. */
const within = (k: number, cat: string) => events.filter((e) => e.cat === cat && e.ts! >= runs[k].ts! && e.ts! <= runs[k].ts! + runs[k].dur!);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);

test("the excerpt holds two generations of 32 runs and the last three runs' GPU events", () => {
  assert.equal(runs.length, 64);
  const gpu = events.filter((e) => e.cat === "Api");
  assert.ok(gpu.length > 0 && gpu.every((e) => e.pid === -1));
  // every GPU event lies inside one of the three runs' wall windows
  assert.equal(LAST3.reduce((s, k) => s + within(k, "Api").length, 0), gpu.length);
});

test("GPU kernel time, busy span and dispatches per decode run match the raw events", () => {
  const s = summarizeProfile(file, { skipRuns: 61 });
  assert.equal(s.runs, 3);
  const perRun = LAST3.map((k) => within(k, "Api"));
  const sums = perRun.map((es) => es.reduce((t, e) => t + e.dur!, 0));
  const spans = perRun.map((es) => Math.max(...es.map((e) => e.ts! + e.dur!)) - Math.min(...es.map((e) => e.ts!)));
  assert.deepEqual(perRun.map((es) => es.length), [421, 421, 421], "LLaMA-2-7B int4 decode: 421 dispatches a step");
  assert.ok(s.gpu && s.gpuGrouping);
  assert.equal(s.gpu.dispatchesMin, 421);
  assert.equal(s.gpu.dispatchesMax, 421);
  close(s.gpu.kernelUsPerRun, mean(sums));
  close(s.gpu.spanUsPerRun, mean(spans));
  assert.ok(s.gpu.kernelUsPerRun > 8000 && s.gpu.kernelUsPerRun < 11000, `${s.gpu.kernelUsPerRun} µs`);
  assert.deepEqual(s.gpuGrouping, { events: 1263, outside: 0, gapsAgree: true });

  // per program: one MatMulNBits dispatch per MatMulNBits node (161: 7 per layer × 32 + lm_head), counted here by cache key
  const program = (name: string) => perRun.map((es) => es.filter((e) => String(e.args?.cache_key).split(/[[:]/)[0] === name));
  const matmul = s.gpu.programs.find((p) => p.program === "MatMulNBits")!;
  assert.deepEqual(program("MatMulNBits").map((es) => es.length), [161, 161, 161]);
  assert.equal(matmul.callsPerRun, 161);
  close(matmul.usPerRun, mean(program("MatMulNBits").map((es) => es.reduce((t, e) => t + e.dur!, 0))));
  assert.equal(s.gpu.programs[0].program, "MatMulNBits");
  assert.equal(s.gpu.programs.find((p) => p.program === "FlashAttentionDecodeQKV")?.callsPerRun, 32);
  assert.equal(s.gpu.programs.reduce((t, p) => t + p.callsPerRun, 0), 421);
  close(s.gpu.programs.reduce((t, p) => t + p.share, 0), 1);

  // the host-side table is still there, from the Node events
  close(s.kernelUsPerRun, mean(LAST3.map((k) => within(k, "Node").reduce((t, e) => t + e.dur!, 0))));
  assert.equal(s.ops.find((o) => o.op === "MatMulNBits")?.callsPerRun, 161);
  assert.equal(s.ops.find((o) => o.op === "MatMulNBits")?.provider, "WebGpu");

  // a run window limit: the last three runs, two at a time
  const two = summarizeProfile(file, { skipRuns: 61, runs: 2 });
  assert.equal(two.runs, 2);
  close(two.gpu!.kernelUsPerRun, mean(sums.slice(0, 2)));
  close(two.kernelUsPerRun, mean([61, 62].map((k) => within(k, "Node").reduce((t, e) => t + e.dur!, 0))));
});

test("the printout labels GPU timestamps and host-side times apart", () => {
  const decode = summarizeProfile(file, { skipRuns: 61 });
  const lines = formatProfile({ file, runsPerGeneration: 32, summary: decode, prefill: summarizeProfile(file, { skipRuns: 32, runs: 1 }), decode }, 3);
  const text = lines.join("\n");
  assert.match(text, /GPU timestamps, per decode run: kernels \d+\.\d{3} ms per run over 421 dispatches; GPU-busy span/);
  assert.match(text, /\n  MatMulNBits +161\.0 /);
  assert.match(text, /host-side \(onnxruntime's per-node kernel calls; on a GPU EP that is recording and dispatch, not GPU time\)/);
  assert.match(text, /the runs' idle gaps give the same groups/);
});

test("GPU events whose clock puts them in the wrong runs are flagged by the idle-gap check", () => {
  // run 61's GPU events 10 ms late: its last ones now start after run 62 does, though the idle gap before run 62's own
  // dispatches still parts them from those
  const shifted = events.map((e) => (e.cat === "Api" && e.ts! < runs[62].ts! ? { ...e, ts: e.ts! + 10_000 } : e));
  assert.ok(shifted.some((e) => e.cat === "Api" && e.ts! >= runs[62].ts! && e.ts! < runs[62].ts! + 10_000));
  const s = summarizeProfileEvents(shifted, { skipRuns: 61 });
  assert.equal(s.gpuGrouping?.gapsAgree, false);
  assert.match(formatProfile({ file, runsPerGeneration: 32, summary: s, prefill: s, decode: s }).join("\n"), /WARNING: the runs' idle gaps give other groups/);
});

test("a gzipped profile (how results/ keeps them) reads as the same events; a gzipped non-profile names its file", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-profile-gz-"));
  const gz = join(dir, "excerpt.json.gz");
  writeFileSync(gz, gzipSync(readFileSync(file)));
  assert.deepEqual(readProfile(gz), events);
  const bad = join(dir, "notes.json.gz");
  writeFileSync(bad, gzipSync(Buffer.from('{"not": "a trace"}')));
  assert.throws(() => readProfile(bad), /notes\.json\.gz: not an onnxruntime profile/);
});

test("--summarize takes a profile written earlier, and refuses flags that do not match its session runs", async () => {
  const { summarizeGeneration, ProfileShapeError } = await import("../../src/lab/profile.js");
  const { profileCommand } = await import("../../src/cli/commands/profile.js");
  const { parseArgs, UsageError } = await import("../../src/cli/args.js");
  const g = summarizeGeneration(file, 32, 1);
  assert.equal(g.decode?.runs, 31);
  assert.equal(g.decode?.gpu?.dispatchesMax, 421, "the excerpt keeps the GPU events of its last three decode runs");
  assert.throws(() => summarizeGeneration(file, 16, 1), (e: unknown) => e instanceof ProfileShapeError && e.runs === 64);
  await assert.rejects(profileCommand.run(parseArgs(profileCommand, ["--summarize", file])),
    (e: unknown) => e instanceof UsageError && /holds 64 session runs, not \(--warmup 1 \+ 1\) × --max-new-tokens 16 = 32; pass the flags/.test(e.message));
});
