// Every request shape (batch size, input length, output length) of an engine group is warmed up,
// unmetered, right before its first recorded run; a shape already warmed is not warmed again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerateRequest, GenerationHooks, GenerationResult } from "../../src/engine/types.js";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { ByteTokenizer, CountingEngine, smallSpecJson, standInDeps } from "./support/stand-ins.js";

interface Call { group: string; shape: string; metered: boolean }

/** A CountingEngine that notes each call's shape and whether the sweep metered it (opened windows at its hooks). */
class ShapeRecordingEngine extends CountingEngine {
  constructor(private readonly group: string, private readonly calls: Call[]) { super(); }
  override async generate(request: GenerateRequest, hooks: GenerationHooks = {}): Promise<GenerationResult> {
    const lengths = new Set(request.promptIds.map((p) => p.length));
    assert.equal(lengths.size, 1, "sweep prompts have exact input lengths");
    this.calls.push({ group: this.group, shape: `${request.promptIds.length}x${[...lengths][0]}+${request.maxNewTokens}`, metered: hooks.beforePrefill !== undefined });
    return super.generate(request, hooks);
  }
}

function wire(calls: Call[]) {
  const wired = standInDeps();
  wired.deps.openEngine = async (o) => ({ engine: new ShapeRecordingEngine(o.dtype, calls), tokenizer: new ByteTokenizer() });
  return wired;
}

const spec = (warmupRuns: number) => parseSpec({
  ...smallSpecJson(2), warmup_runs: warmupRuns,
  dimensions: { batch_size: [1, 3], input_length: [16, 24], output_length: [4, 6], quantization: ["fp32", "int4"] },
});

test("each new shape gets warmup_runs unmetered calls before its first recorded run, none once warmed", async () => {
  const calls: Call[] = [];
  const summary = await runSweep(spec(2), wire(calls).deps, { outDir: mkdtempSync(join(tmpdir(), "wattlab-warm-")), progress: false });
  assert.equal(summary.completed, 2 * 2 * 2 * 2 * 2, "2 batch × 2 input × 2 output × 2 quantizations × 2 repetitions");

  // Walk the calls: a metered call must follow exactly two warm-ups of its own shape the first time the
  // shape is seen in its group, and none afterwards.
  const warmed = new Set<string>();
  let pendingWarmups: string[] = [];
  let recorded = 0;
  for (const call of calls) {
    const id = `${call.group}|${call.shape}`;
    if (!call.metered) { pendingWarmups.push(id); continue; }
    recorded++;
    if (warmed.has(id)) {
      assert.deepEqual(pendingWarmups, [], `${id} was already warmed; it got warm-ups again`);
    } else {
      assert.deepEqual(pendingWarmups, [id, id], `first recorded run of ${id}: two warm-ups of that shape just before`);
      warmed.add(id);
    }
    pendingWarmups = [];
  }
  assert.equal(recorded, summary.completed);
  assert.equal(warmed.size, 2 * 8, "8 shapes per engine group, warmed in both groups (a new group is a new engine)");
  assert.equal(calls.filter((c) => !c.metered).length, 2 * 8 * 2);
});

test("warmup_runs 0 makes no unmetered call; a rerun warms only the shapes it still has to run", async () => {
  const none: Call[] = [];
  await runSweep(spec(0), wire(none).deps, { outDir: mkdtempSync(join(tmpdir(), "wattlab-warm-")), progress: false });
  assert.equal(none.filter((c) => !c.metered).length, 0);

  const dir = mkdtempSync(join(tmpdir(), "wattlab-warm-"));
  const small = parseSpec({ ...smallSpecJson(1), dimensions: { batch_size: [1, 3] } });
  await runSweep(small, wire([]).deps, { outDir: dir, progress: false });
  const bigger = parseSpec({ ...smallSpecJson(1), dimensions: { batch_size: [1, 3, 2] } });
  const calls: Call[] = [];
  await runSweep(bigger, wire(calls).deps, { outDir: dir, progress: false });
  assert.deepEqual(calls.map((c) => `${c.metered ? "run" : "warm"} ${c.shape}`), ["warm 2x24+6", "run 2x24+6"]);
});
