import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  alpacaPrompt, datasetPath, DatasetNotFoundError, gsm8kPrompt, loadAlpaca, loadGsm8k, loadPromptTexts,
} from "../../src/data/datasets.js";
import { sharedPath } from "../support/shared.js";

// The 5,000-row Alpaca sample of a shared/ folder, else the full public file that `npm run fixtures` downloads.
const alpacaSample = sharedPath("datasets/alpaca/alpaca_5000.json");
const alpacaFixture = alpacaSample.skip ? sharedPath("datasets/alpaca/alpaca_data.json") : alpacaSample;
const alpacaRows = alpacaSample.skip ? 52002 : 5000;
const gsm8kFixture = sharedPath("datasets/gsm8k/test.jsonl");
const datasets = { skip: alpacaFixture.skip || gsm8kFixture.skip };

/** A data folder laid out as the loader expects, linking to the fixtures wherever they were found. */
function linkedDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-datadir-"));
  mkdirSync(join(dir, "alpaca"));
  mkdirSync(join(dir, "gsm8k"));
  symlinkSync(alpacaFixture.path, join(dir, "alpaca", "alpaca_5000.json"));
  symlinkSync(gsm8kFixture.path, join(dir, "gsm8k", "test.jsonl"));
  return dir;
}
const dataDir = datasets.skip ? "" : linkedDataDir();
after(() => { if (dataDir) rmSync(dataDir, { recursive: true, force: true }); });

test("Alpaca and GSM8K load from a data folder", { skip: datasets.skip }, async () => {
  const alpaca = await loadAlpaca({ dataDir, download: false, env: {} });
  assert.equal(alpaca.length, alpacaRows);
  assert.equal(typeof alpaca[0].instruction, "string");
  const gsm8k = await loadGsm8k({ dataDir, download: false, env: {} });
  assert.equal(gsm8k.length, 1319);
  assert.match(gsm8k[0].question, /^Janet’s ducks lay 16 eggs per day/);
});

test("WATTLAB_DATA_DIR and WATTLAB_ALPACA / WATTLAB_GSM8K are honoured, explicit paths first", { skip: datasets.skip }, async () => {
  const alpacaFile = join(dataDir, "alpaca", "alpaca_5000.json");
  const gsmFile = join(dataDir, "gsm8k", "test.jsonl");
  assert.equal(await datasetPath("alpaca", { env: { WATTLAB_DATA_DIR: dataDir }, download: false }), alpacaFile);
  assert.equal(await datasetPath("gsm8k", { env: { WATTLAB_GSM8K: gsmFile, WATTLAB_DATA_DIR: "/nowhere" }, download: false }), gsmFile);
  await assert.rejects(datasetPath("gsm8k", { gsm8kPath: "/nowhere/test.jsonl", env: { WATTLAB_GSM8K: gsmFile } }), DatasetNotFoundError);
  const texts = await loadPromptTexts("gsm8k", { env: { WATTLAB_GSM8K: gsmFile }, download: false });
  assert.equal(texts.length, 1319);
});

test("prompts as the seed built them: instruction, blank line, input; GSM8K question alone", () => {
  assert.equal(alpacaPrompt({ instruction: "Sort these.", input: "3, 1, 2", output: "1, 2, 3" }), "Sort these.\n\n3, 1, 2");
  assert.equal(alpacaPrompt({ instruction: "Name a colour.", input: "", output: "red" }), "Name a colour.");
  assert.equal(gsm8kPrompt({ question: "What is 2+2?", answer: "4" }), "What is 2+2?");
});

test("offline and not found: the error names every place looked and the variables to set", async () => {
  const empty = mkdtempSync(join(tmpdir(), "wattlab-data-"));
  const error = await loadAlpaca({ env: { WATTLAB_DATA_DIR: empty, WATTLAB_OFFLINE: "1" }, cacheDir: join(empty, "cache"), localFolders: [] }).catch((e) => e);
  assert.ok(error instanceof DatasetNotFoundError);
  assert.match(error.message, /^alpaca dataset not found: no local copy and downloads are off/);
  assert.match(error.message, /looked at: .*alpaca[\\/]alpaca_data\.json/);
  assert.match(error.message, /Fix: put alpaca_data\.json at .*data\/alpaca\/alpaca_data\.json, or set WATTLAB_DATA_DIR to a folder holding alpaca\/alpaca_data\.json \(or WATTLAB_ALPACA to the file\), or run once online/);
  assert.doesNotMatch(error.message, /\n/);
  // a failed download says why, and still says what to set
  const failing = (async () => { throw new Error("getaddrinfo ENOTFOUND huggingface.co"); }) as unknown as typeof fetch;
  const viaNet = await loadGsm8k({ env: {}, cacheDir: join(empty, "cache"), download: true, fetch: failing, localFolders: [] }).catch((e) => e);
  assert.match(viaNet.message, /download from the Hugging Face Hub \(openai\/gsm8k\) failed: getaddrinfo ENOTFOUND/);
  assert.match(viaNet.message, /or WATTLAB_GSM8K to the file/);
});

test("downloads go to HF_ENDPOINT when set (a mirror, or a closed port to stay offline)", async () => {
  const { createServer } = await import("node:http");
  const paths: string[] = [];
  const server = createServer((req, res) => { paths.push(req.url ?? ""); res.writeHead(404).end(); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const empty = mkdtempSync(join(tmpdir(), "wattlab-data-"));
    const error = await loadGsm8k({ env: { HF_ENDPOINT: `http://127.0.0.1:${port}/` }, cacheDir: join(empty, "cache"), localFolders: [] }).catch((e) => e);
    assert.ok(error instanceof DatasetNotFoundError);
    assert.deepEqual(paths, ["/api/datasets/openai/gsm8k/parquet/main/test"]);
    assert.match(error.message, /HTTP 404/);
  } finally {
    server.close();
  }
});
