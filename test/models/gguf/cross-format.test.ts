// The same preset and seed built as ONNX (fp32) and as GGUF (F32) is the same model: for the same prompt ids
// onnxruntime and llama.cpp pick the same greedy tokens, and both tokenizers give the same ids.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngine } from "../../../src/engine/load.js";
import { buildModel } from "../../../src/models/build.js";
import { buildGguf } from "../../../src/models/gguf/build.js";

const TEXTS = ["The quick brown fox", "hello world, this is a test", "Once upon a time there was"];

for (const preset of ["tiny", "tiny-qwen2"]) {
  test(`${preset}: ONNX fp32 and GGUF F32 builds give the same greedy tokens`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "wattlab-cross-"));
    try {
      await buildModel({ preset, dtype: "fp32", outDir: join(dir, "onnx"), workers: 1 });
      const gguf = await buildGguf({ preset, dtype: "f32", outPath: join(dir, "gguf", "model.gguf") });
      const onnx = await openEngine({ engine: "onnxruntime", modelDir: join(dir, "onnx"), device: "cpu", threads: 1 });
      const llama = await openEngine({ engine: "llama.cpp", modelDir: gguf.path, device: "cpu", threads: 1 });
      try {
        const prompts = TEXTS.map((t) => onnx.tokenizer.encode(t));
        assert.deepEqual(TEXTS.map((t) => llama.tokenizer.encode(t)), prompts);
        const request = { promptIds: prompts, maxNewTokens: 12, fixedLength: true };
        const a = await onnx.engine.generate(request);
        const b = await llama.engine.generate(request);
        assert.deepEqual(b.outputIds, a.outputIds);
        assert.deepEqual(b.outputIds.map((ids) => llama.tokenizer.decode(ids)), a.outputIds.map((ids) => onnx.tokenizer.decode(ids)));
      } finally {
        await onnx.engine.dispose();
        await llama.engine.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
