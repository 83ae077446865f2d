// Downloading fixtures from a real local HTTP server into a temp cache: digests checked before anything is written,
// a mismatch leaves nothing behind, an unreachable network is given up on quickly, and the `npm run fixtures`
// script fills an empty cache from a server of the shared/ folder.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { fetchFixtures, gitBlobSha1 } from "./fixture-download.js";
import type { Fixture } from "./fixtures.js";
import { FIXTURE_SKIP_PREFIX, repoRoot, sharedDir, sharedPath } from "./shared.js";

/** Serves the files under `root` by path; 404 elsewhere. */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = join(root, normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { "content-length": body.length }).end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () =>
    resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** Every file under a folder, relative, sorted. */
function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]).sort();
}

const sha256 = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");

let served: string;
let server: Server;
let baseUrl: string;
const GOOD = "fixtures/gguf/good.gguf";
const GOOD_BYTES = "GGUF then some bytes of a good fixture\n";
const BLOB = "datasets/blob/only-blob-id.json";
const BLOB_BYTES = '[{"instruction": "pinned by a git blob id"}]\n';

before(async () => {
  served = mkdtempSync(join(tmpdir(), "wattlab-fixture-server-"));
  for (const [path, bytes] of [[GOOD, GOOD_BYTES], [BLOB, BLOB_BYTES]]) {
    mkdirSync(dirname(join(served, path)), { recursive: true });
    writeFileSync(join(served, path), bytes);
  }
  ({ server, url: baseUrl } = await serve(served));
});
after(() => {
  server.close();
  rmSync(served, { recursive: true, force: true });
});

function fixture(path: string, digest: Partial<Fixture>): Fixture {
  return { path, size: null, sha256: null, evidence: "identical-git-blob", source: "a test", url: "https://example.invalid/0000000000000000000000000000000000000000/x", ...digest };
}

function tempCache() {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-fixture-cache-"));
  return { dir, env: { WATTLAB_SHARED: "none", WATTLAB_CACHE: dir, WATTLAB_FIXTURES_BASE_URL: baseUrl } };
}

test("a missing fixture is downloaded into the cache, checked by sha256 or git blob id, then found there", async () => {
  const cache = tempCache();
  try {
    const fixtures = [
      fixture(GOOD, { sha256: sha256(GOOD_BYTES), size: GOOD_BYTES.length }),
      fixture(BLOB, { gitBlobSha1: gitBlobSha1(Buffer.from(BLOB_BYTES)) }),
    ];
    const first = await fetchFixtures({ env: cache.env, fixtures });
    assert.deepEqual(first.statuses.map((s) => s.state), ["downloaded", "downloaded"]);
    assert.equal(readFileSync(join(cache.dir, "fixtures", GOOD), "utf8"), GOOD_BYTES);
    assert.equal(readFileSync(join(cache.dir, "fixtures", BLOB), "utf8"), BLOB_BYTES);
    assert.deepEqual(listFiles(cache.dir), [`fixtures/${BLOB}`, `fixtures/${GOOD}`].sort(), "no temp files left");
    const second = await fetchFixtures({ env: cache.env, fixtures });
    assert.deepEqual(second.statuses.map((s) => s.state === "found" && s.where), ["cache", "cache"]);
    assert.deepEqual(sharedPath(GOOD, { env: cache.env }), { path: join(cache.dir, "fixtures", GOOD), skip: false });
  } finally {
    rmSync(cache.dir, { recursive: true, force: true });
  }
});

test("a download whose digest differs is refused, naming the file and both digests, and leaves nothing in the cache", async () => {
  const cache = tempCache();
  try {
    const wrong = "0".repeat(64);
    const { statuses } = await fetchFixtures({ env: cache.env, fixtures: [fixture(GOOD, { sha256: wrong })] });
    assert.equal(statuses[0].state, "failed");
    const why = statuses[0].state === "failed" ? statuses[0].why : "";
    assert.ok(why.includes(GOOD) && why.includes(`expected ${wrong}`) && why.includes(`got ${sha256(GOOD_BYTES)}`), why);
    const blob = await fetchFixtures({ env: cache.env, fixtures: [fixture(BLOB, { gitBlobSha1: "f".repeat(40) })] });
    assert.match(blob.statuses[0].state === "failed" ? blob.statuses[0].why : "", /git blob id mismatch.*expected f{40}, got [0-9a-f]{40}/);
    assert.deepEqual(listFiles(cache.dir), [], "nothing written, not even a folder");
    const absent = await fetchFixtures({ env: cache.env, fixtures: [fixture("fixtures/gguf/absent.gguf", { sha256: wrong })] });
    assert.match(absent.statuses[0].state === "failed" ? absent.statuses[0].why : "", /fixtures\/gguf\/absent\.gguf: GET .* failed: HTTP 404/);
  } finally {
    rmSync(cache.dir, { recursive: true, force: true });
  }
});

test("offline (a closed local port): one quick probe, nothing downloaded, the tests get a skip reason", async () => {
  const closed = await serve(served);
  await new Promise((resolve) => closed.server.close(resolve));
  const cache = tempCache();
  try {
    const env = { ...cache.env, WATTLAB_FIXTURES_BASE_URL: closed.url };
    const started = performance.now();
    const { statuses, offline } = await fetchFixtures({ env, ifOnline: true, fixtures: [fixture(GOOD, { sha256: sha256(GOOD_BYTES) })] });
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs < 2000, `gave up in ${elapsedMs.toFixed(0)} ms`);
    assert.match(offline ?? "", /did not answer/);
    assert.equal(statuses[0].state, "failed");
    assert.deepEqual(listFiles(cache.dir), []);
    const skip = sharedPath(GOOD, { env });
    assert.ok(typeof skip.skip === "string" && skip.skip.startsWith(FIXTURE_SKIP_PREFIX), String(skip.skip));
    const bySetting = await fetchFixtures({ env: { ...cache.env, WATTLAB_OFFLINE: "1" }, fixtures: [fixture(GOOD, { sha256: sha256(GOOD_BYTES) })] });
    assert.match(bySetting.offline ?? "", /WATTLAB_OFFLINE/);
  } finally {
    rmSync(cache.dir, { recursive: true, force: true });
  }
});

/** The environment for a child process: not a test-runner child, no shared/ folders, this cache. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WATTLAB_SHARED: "none", ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.WATTLAB_OFFLINE;
  return env;
}
const script = join(repoRoot, "dist", "test", "support", "fetch-fixtures.js");

const shared = sharedDir();
test("`npm run fixtures` fills an empty cache with every fixture from a server of shared/, then finds them all", { skip: shared ? false : `${FIXTURE_SKIP_PREFIX} a shared/ folder to serve` }, async () => {
  const { server: sharedServer, url } = await serve(shared!);
  const cache = mkdtempSync(join(tmpdir(), "wattlab-fixture-cache-"));
  try {
    const env = childEnv({ WATTLAB_CACHE: cache, WATTLAB_FIXTURES_BASE_URL: url });
    // asynchronously, so that this process's server answers the child
    const run = () => new Promise<{ status: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [script], { env }, (error, stdout) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout }));
    });
    const first = await run();
    assert.equal(first.status, 0, first.stdout);
    assert.match(first.stdout, /^downloaded {2}fixtures\/gguf\/stories260K\.gguf → /m);
    assert.doesNotMatch(first.stdout, /^(failed|no source)/m);
    const second = await run();
    assert.equal(second.status, 0, second.stdout);
    assert.match(second.stdout, /^found {7}fixtures\/gguf\/stories260K\.gguf \(cache\)$/m);
    assert.match(second.stdout, / 0 downloaded, 0 failed/);
  } finally {
    sharedServer.close();
    rmSync(cache, { recursive: true, force: true });
  }
});

test("`npm run fixtures` offline exits 1 naming each file it could not get; --if-online exits 0 with one line, fast", async () => {
  const closed = await serve(served);
  await new Promise((resolve) => closed.server.close(resolve));
  const cache = mkdtempSync(join(tmpdir(), "wattlab-fixture-cache-"));
  try {
    const env = childEnv({ WATTLAB_CACHE: cache, WATTLAB_FIXTURES_BASE_URL: closed.url });
    const full = spawnSync(process.execPath, [script], { env, encoding: "utf8" });
    assert.equal(full.status, 1, full.stdout + full.stderr);
    assert.match(full.stdout, /^failed {6}fixtures\/gguf\/stories260K\.gguf: not downloaded: .*did not answer/m);
    const started = performance.now();
    const quick = spawnSync(process.execPath, [script, "--if-online"], { env, encoding: "utf8" });
    const elapsedMs = performance.now() - started;
    assert.equal(quick.status, 0, quick.stdout + quick.stderr);
    assert.match(quick.stdout, /^fixtures: \d+ missing, not downloaded \(.*did not answer/);
    assert.equal(quick.stdout.trim().split("\n").length, 1, quick.stdout);
    assert.ok(elapsedMs < 3000, `--if-online took ${elapsedMs.toFixed(0)} ms`);
    assert.deepEqual(listFiles(cache), []);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
