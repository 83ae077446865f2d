// Per-request energy on a busy server: the requests of one busy period add up to the energy of the meter segments
// that covered it (the attribution rule in src/serve/energy.ts), read through the NVML stand-in's energy counter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/load.js";
import type { EngineName } from "../../src/engine/types.js";
import { Meter } from "../../src/meter/index.js";
import { startServer } from "../../src/serve/index.js";
import { relative, requireFake, skipWithoutFake } from "../meter/fake-nvml.js";
import { getJson, post, promptIdsOf, stream, tinyModels } from "./client.js";

const WATTS = 300;

for (const name of ["llama.cpp", "onnxruntime"] as EngineName[]) {
  test(`${name}: concurrent requests' energy_j add up to the segments' energy; a longer request gets more`, { skip: skipWithoutFake() }, async (t) => {
    const fake = requireFake();
    fake.configure({ count: 1, power_w: WATTS });
    const models = await tinyModels(t);
    const { engine, tokenizer } = await openEngine({ engine: name, modelDir: name === "llama.cpp" ? models.gguf : models.onnx, threads: 1 });
    t.after(() => engine.dispose());
    const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, gpus: "visible", cpu: "none", sampleMs: 10 });
    t.after(() => meter.close());
    // short segments, so that a busy period is cut many times (by time and by each request's end)
    const server = await startServer({ engine, tokenizer, meter, modelName: "tiny", port: 0, maxConcurrency: 4, segmentMs: 20, batchWaitMs: 20 });
    t.after(() => server.close());

    const maxTokens = [60, 120, 180, 240];
    const started = performance.now();
    const answers = await Promise.all(maxTokens.map((max, i) => stream(`${server.url}/v1/completions`, {
      prompt: promptIdsOf(16, i), max_tokens: max, ignore_eos: true, stream_options: { include_usage: true },
    })));
    const busyS = (performance.now() - started) / 1000;
    const metrics = await getJson(`${server.url}/metrics`);
    const usages = answers.map((a) => a.usage!);
    for (const usage of usages) {
      assert.equal(usage.energy_source, "measured");
      assert.ok(typeof usage.energy_j === "number" && usage.energy_j > 0, `energy_j ${usage.energy_j}`);
    }
    const sum = usages.reduce((s, u) => s + u.energy_j!, 0);
    assert.ok(metrics.energy.segments > 4, `${metrics.energy.segments} segments`);
    assert.equal(metrics.energy.unattributed_j, 0);
    assert.ok(relative(sum, metrics.energy.segments_j) < 1e-9, `requests ${sum} J vs segments ${metrics.energy.segments_j} J`);
    // the counter runs at WATTS: the segments span the busy period (the clients' view is a little longer)
    assert.ok(metrics.energy.segments_j <= WATTS * busyS * 1.05 && metrics.energy.segments_j > WATTS * busyS * 0.5,
      `${metrics.energy.segments_j} J over ${busyS} s at ${WATTS} W`);
    // neighbours can swap when the requests' starts are staggered (a request alone in a segment takes all of it);
    // 256 tokens against 76 cannot
    const longest = usages[usages.length - 1].energy_j!, shortest = usages[0].energy_j!;
    assert.ok(longest > shortest, `the ${maxTokens[maxTokens.length - 1]}-token request got ${longest} J, the ${maxTokens[0]}-token one ${shortest} J`);
  });
}

test("--meter none: energy_j null, energy_source none", async (t) => {
  const models = await tinyModels(t);
  const { engine, tokenizer } = await openEngine({ engine: "onnxruntime", modelDir: models.onnx, threads: 1 });
  t.after(() => engine.dispose());
  const server = await startServer({ engine, tokenizer, meter: null, modelName: "tiny", port: 0 });
  t.after(() => server.close());
  const { status, json } = await post(`${server.url}/v1/completions`, { prompt: "hello", max_tokens: 3, ignore_eos: true });
  assert.equal(status, 200);
  assert.equal(json.usage.completion_tokens, 3);
  assert.equal(json.usage.energy_j, null);
  assert.equal(json.usage.energy_source, "none");
  assert.equal(json.usage.energy_below_resolution, null);
});
