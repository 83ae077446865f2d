// Chat completions (the tokenizer's chat template where it has one, else "role: content" lines) and where a request
// ends: at EOS (counted, no text), past it with ignore_eos or before min_tokens, never past max_tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/load.js";
import { openOnnxRuntimeEngine } from "../../src/engine/onnxruntime/index.js";
import { loadTokenizer } from "../../src/engine/tokenizer.js";
import { startServer } from "../../src/serve/index.js";
import { post, promptIdsOf, stream, tinyModels } from "./client.js";

const MESSAGES = [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello there" }];

test("chat: the template where the tokenizer has one (onnxruntime tiny), plain lines where not (llama.cpp tiny)", async (t) => {
  const models = await tinyModels(t);
  for (const [name, dir, format] of [["onnxruntime", models.onnx, "template"], ["llama.cpp", models.gguf, "plain"]] as const) {
    const { engine, tokenizer } = await openEngine({ engine: name, modelDir: dir, threads: 1 });
    t.after(() => engine.dispose());
    const server = await startServer({ engine, tokenizer, modelName: "tiny", port: 0 });
    t.after(() => server.close());
    assert.equal(server.chatFormat, format);
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ messages: MESSAGES, max_tokens: 3, ignore_eos: true }) });
    assert.equal(res.headers.get("x-wattlab-chat-format"), format, name);
    const whole = (await res.json()) as { object: string; choices: Array<{ message: { role: string } }>; usage: { prompt_tokens: number; completion_tokens: number } };
    assert.equal(whole.object, "chat.completion");
    assert.equal(whole.choices[0].message.role, "assistant");
    assert.equal(whole.usage.completion_tokens, 3);
    // the same prompt sent as text to /v1/completions counts the same tokens
    const text = format === "template"
      ? tokenizer.applyChatTemplate(MESSAGES, { addGenerationPrompt: true })
      : "system: Be brief.\nuser: Hello there\nassistant:";
    const expected = format === "template" ? tokenizer.encode(text, { addSpecialTokens: false }).length : (await post(`${server.url}/v1/completions`, { prompt: text, max_tokens: 1 })).json.usage.prompt_tokens;
    assert.equal(whole.usage.prompt_tokens, expected, name);

    const streamed = await stream(`${server.url}/v1/chat/completions`, { messages: MESSAGES, max_tokens: 4, ignore_eos: true, stream_options: { include_usage: true } });
    assert.equal(streamed.tokenChunks, 4);
    assert.equal(streamed.chunks[0].choices[0].delta?.role, "assistant", "the first chunk names the role");
    assert.equal(streamed.usage?.completion_tokens, 4);
  }
});

test("EOS ends a request (counted, no text) unless ignore_eos, or min_tokens wants more; max_tokens always holds", async (t) => {
  const models = await tinyModels(t);
  const prompt = promptIdsOf(12);
  // the tiny model's own greedy continuation, to pick a token it makes as "EOS"
  const probe = await openOnnxRuntimeEngine({ modelDir: models.onnx, threads: 1 });
  const greedy = (await probe.generate({ promptIds: [prompt], maxNewTokens: 12, fixedLength: true })).outputIds[0];
  await probe.dispose();
  const k = greedy.findIndex((token, i) => i >= 2 && greedy.indexOf(token) === i);
  assert.ok(k >= 2, `a token first made at step ≥ 2 in ${greedy}`);
  const engine = await openOnnxRuntimeEngine({ modelDir: models.onnx, threads: 1, eosTokenIds: [greedy[k]] });
  t.after(() => engine.dispose());
  const server = await startServer({ engine, tokenizer: await loadTokenizer(models.onnx), modelName: "tiny", port: 0 });
  t.after(() => server.close());
  const url = `${server.url}/v1/completions`;
  const usage = { stream_options: { include_usage: true } };

  const stopped = await stream(url, { prompt, max_tokens: 12, ...usage });
  assert.equal(stopped.finishReason, "stop");
  assert.equal(stopped.usage?.completion_tokens, k + 1, "the EOS token is counted");
  assert.equal(stopped.tokenChunks, k, "and streams no chunk of its own");

  const ignored = await stream(url, { prompt, max_tokens: 12, ignore_eos: true, ...usage });
  assert.deepEqual([ignored.finishReason, ignored.usage?.completion_tokens], ["length", 12]);

  const atLeast = await stream(url, { prompt, max_tokens: 12, min_tokens: k + 2, ...usage });
  assert.ok(atLeast.usage!.completion_tokens >= k + 2, `min_tokens ${k + 2}: ${atLeast.usage?.completion_tokens} tokens`);
  assert.ok(atLeast.usage!.completion_tokens <= 12);

  const short = await post(url, { prompt, max_tokens: Math.max(1, k - 1) });
  assert.deepEqual([short.json.choices[0].finish_reason, short.json.usage.completion_tokens], ["length", Math.max(1, k - 1)]);
});
