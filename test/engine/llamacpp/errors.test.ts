// Failures say what is missing and how to get it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { sharedPath } from "../../support/shared.js";

const stories = sharedPath("fixtures/gguf/stories260K.gguf");

test("a missing GGUF path is named", async () => {
  await assert.rejects(openLlamaCppEngine({ modelPath: "/nonexistent/model.gguf" }), /GGUF model not found: \/nonexistent\/model\.gguf/);
});

test("a folder without a .gguf, or with two, is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    await assert.rejects(openLlamaCppEngine({ modelPath: dir }), /no \.gguf file in/);
    writeFileSync(join(dir, "a.gguf"), "");
    writeFileSync(join(dir, "b.gguf"), "");
    await assert.rejects(openLlamaCppEngine({ modelPath: dir }), /several \.gguf files .*a\.gguf, b\.gguf/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an unloadable Vulkan backend names its binary package and what it needs", { skip: stories.skip }, async (t) => {
  let opened: Awaited<ReturnType<typeof openLlamaCppEngine>> | null = null;
  try {
    opened = await openLlamaCppEngine({ modelPath: stories.path, device: "vulkan" });
  } catch (error) {
    assert.match(String((error as Error).message), /llama\.cpp vulkan backend unavailable: .*@node-llama-cpp\/linux-x64-vulkan/);
    assert.match(String((error as Error).message), /libvulkan|npm install/);
    return;
  }
  t.skip("Vulkan loads on this machine");
  await opened.engine.dispose();
});

test("a request that does not fit the model is refused before running", { skip: stories.skip }, async () => {
  const { engine } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    await assert.rejects(engine.generate({ promptIds: [[1, 512]], maxNewTokens: 2, fixedLength: true }), /token id 512, outside the vocabulary of 512/);
    await assert.rejects(engine.generate({ promptIds: [[]], maxNewTokens: 2, fixedLength: true }), /prompt 0 is empty/);
    await assert.rejects(engine.generate({ promptIds: [[1]], maxNewTokens: 2048, fixedLength: true }), /exceeds the context length 2048/);
  } finally {
    await engine.dispose();
  }
});
