// The fixture lookup order: $WATTLAB_SHARED, ../shared, then the user cache; WATTLAB_SHARED=none skips the first
// two; a folder counts only where it is whole; a fixture found nowhere gives a "fixture missing:" skip reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fixturesAt } from "./fixtures.js";
import { FIXTURE_SKIP_PREFIX, fixtureCacheDir, fixtureRoots, locateFixture, sharedPath } from "./shared.js";

const GGUF = "fixtures/gguf/stories260K.gguf";
const MODEL = "fixtures/models/tiny-random-llama-fp16";

function place(root: string, relative: string): void {
  mkdirSync(dirname(join(root, relative)), { recursive: true });
  writeFileSync(join(root, relative), relative);
}

/** A repo with ../shared beside it, a WATTLAB_SHARED folder and a cache, all empty. */
function layout() {
  const top = mkdtempSync(join(tmpdir(), "wattlab-fixture-order-"));
  const dirs = { repo: join(top, "repo"), besides: join(top, "shared"), env: join(top, "env-shared"), cache: join(top, "cache") };
  for (const dir of Object.values(dirs)) mkdirSync(dir);
  const options = (env: Record<string, string | undefined> = {}) =>
    ({ repoRoot: dirs.repo, env: { WATTLAB_SHARED: dirs.env, WATTLAB_CACHE: dirs.cache, ...env } });
  return { top, dirs, options, cacheFixtures: join(dirs.cache, "fixtures") };
}

test("a file is taken from WATTLAB_SHARED, else ../shared, else the cache, else skipped with how to get it", () => {
  const { top, dirs, options, cacheFixtures } = layout();
  try {
    for (const root of [dirs.env, dirs.besides, cacheFixtures]) place(root, GGUF);
    assert.deepEqual(locateFixture(GGUF, options()), { path: join(dirs.env, GGUF), where: "WATTLAB_SHARED" });
    rmSync(join(dirs.env, GGUF));
    assert.deepEqual(locateFixture(GGUF, options()), { path: join(dirs.besides, GGUF), where: "../shared" });
    rmSync(join(dirs.besides, GGUF));
    assert.deepEqual(locateFixture(GGUF, options()), { path: join(cacheFixtures, GGUF), where: "cache" });
    assert.deepEqual(sharedPath(GGUF, options()), { path: join(cacheFixtures, GGUF), skip: false });
    rmSync(join(cacheFixtures, GGUF));
    const missing = sharedPath(GGUF, options());
    assert.equal(missing.path, "");
    assert.ok(typeof missing.skip === "string" && missing.skip.startsWith(`${FIXTURE_SKIP_PREFIX} ${GGUF}`), String(missing.skip));
    assert.match(String(missing.skip), /npm run fixtures.*WATTLAB_SHARED=/);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test("WATTLAB_SHARED=none looks past ../shared, straight to the cache", () => {
  const { top, dirs, options, cacheFixtures } = layout();
  try {
    place(dirs.besides, GGUF);
    assert.equal(locateFixture(GGUF, options({ WATTLAB_SHARED: undefined }))?.where, "../shared");
    assert.equal(locateFixture(GGUF, options({ WATTLAB_SHARED: "none" })), null);
    place(cacheFixtures, GGUF);
    assert.equal(locateFixture(GGUF, options({ WATTLAB_SHARED: "none" }))?.where, "cache");
    assert.deepEqual(fixtureRoots(options({ WATTLAB_SHARED: "none" })).map((r) => r.where), ["cache"]);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test("a folder of fixtures is taken only from a root that has every file of it", () => {
  const { top, dirs, options, cacheFixtures } = layout();
  try {
    const files = fixturesAt(MODEL).map((f) => f.path);
    assert.ok(files.length > 1, "the manifest lists the model's files");
    for (const file of files.slice(1)) place(dirs.besides, file);
    for (const file of files) place(cacheFixtures, file);
    assert.deepEqual(locateFixture(MODEL, options()), { path: join(cacheFixtures, MODEL), where: "cache" }, "../shared lacks one file");
    place(dirs.besides, files[0]);
    assert.equal(locateFixture(MODEL, options())?.where, "../shared");
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test("a derived fixture with no public download says so in its skip reason", () => {
  const { top, options } = layout();
  try {
    const reason = String(sharedPath("fixtures/tokenizers/deepseek-r1-distill-qwen/tokenizer.json", options()).skip);
    assert.ok(reason.startsWith(FIXTURE_SKIP_PREFIX), reason);
    assert.match(reason, /no public download; place a copy at .*deepseek-r1-distill-qwen[\\/]tokenizer\.json/);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test("the cache is $WATTLAB_CACHE, else $XDG_CACHE_HOME/wattlab, else ~/.cache/wattlab, + /fixtures", () => {
  assert.equal(fixtureCacheDir({ WATTLAB_CACHE: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" }), join("/c", "fixtures"));
  assert.equal(fixtureCacheDir({ XDG_CACHE_HOME: "/x" }), join("/x", "wattlab", "fixtures"));
  assert.match(fixtureCacheDir({}), /[\\/]\.cache[\\/]wattlab[\\/]fixtures$/);
});
