// A GGUF hub URI goes through node-llama-cpp's downloader into wattlab's cache; with no network (as here and in
// CI) the error names the URI, the cache folder and what to pass instead. Local paths never touch the network.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGgufUri, localGguf } from "../../../src/engine/llamacpp/backend.js";
import { isHubReference } from "../../../src/lab/models.js";
import { sharedPath } from "../../support/shared.js";

test("hub URIs are told apart from local paths", () => {
  assert.equal(isGgufUri("hf:owner/repo/model.Q4_0.gguf"), true);
  assert.equal(isGgufUri("https://example.org/m.gguf"), true);
  assert.equal(isGgufUri("/models/m.gguf"), false);
  assert.equal(isHubReference("onnx-community/Qwen2.5-0.5B-Instruct"), true);
  assert.equal(isHubReference("hf:owner/repo/model.gguf"), true);
  assert.equal(isHubReference("/tmp/model-dir"), false);
  // one pattern for a hub id everywhere: a relative path that does not exist is not mistaken for one
  assert.equal(isHubReference("../model-dir"), false);
  assert.equal(isHubReference("./model-dir"), false);
});

const stories = sharedPath("fixtures/gguf/stories260K.gguf");
test("a local .gguf resolves to itself without the downloader", { skip: stories.skip }, async () => {
  assert.equal(await localGguf(stories.path), stories.path);
});

test("offline, a hub URI fails with the cache folder and the fix", { timeout: 60_000 }, async () => {
  const cache = mkdtempSync(join(tmpdir(), "wattlab-gguf-cache-"));
  const prior = process.env.WATTLAB_CACHE;
  process.env.WATTLAB_CACHE = cache;
  try {
    const error = await localGguf("hf:nobody-wattlab-test/none/none.Q4_0.gguf").catch((e: unknown) => e);
    assert.ok(error instanceof Error, "an offline download must fail");
    assert.match(error.message, /could not fetch hf:nobody-wattlab-test\/none\/none\.Q4_0\.gguf/);
    assert.match(error.message, new RegExp(`${join(cache, "gguf").replace(/[/\\]/g, ".")}`));
    assert.match(error.message, /pass its local path/);
  } finally {
    if (prior === undefined) delete process.env.WATTLAB_CACHE; else process.env.WATTLAB_CACHE = prior;
    rmSync(cache, { recursive: true, force: true });
  }
});
