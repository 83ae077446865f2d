// Finds the read-only third-party fixtures the tests use (listed with their digests in fixtures.ts), looking in
// order at $WATTLAB_SHARED (a folder laid out like shared/), ../shared beside the repo, then the user cache
// ($WATTLAB_CACHE, $XDG_CACHE_HOME/wattlab or ~/.cache/wattlab, + /fixtures) that `npm run fixtures` fills.
// WATTLAB_SHARED=none turns the first two off, to see what a clone with nothing beside it sees.
// Where a fixture is found nowhere, tests skip with a reason starting "fixture missing:".
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixturesAt, type Fixture } from "./fixtures.js";

/** Every skip reason for a missing fixture starts with this; the summary reporter counts them. */
export const FIXTURE_SKIP_PREFIX = "fixture missing:";

/** The repo root: the nearest folder above this file with wattlab's package.json (works from src and dist). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !readFileSync(join(dir, "package.json"), "utf8").includes('"name": "wattlab"')) {
    const up = dirname(dir);
    if (up === dir) throw new Error("wattlab package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}
const repoRoot = findRepoRoot();

type Env = Record<string, string | undefined>;

export interface FixtureLookupOptions {
  /** Environment to read; default process.env. */
  env?: Env;
  /** The repo whose ../shared is looked at; default this repo. */
  repoRoot?: string;
}

export interface FixtureRoot {
  /** Where this is, as a user would name it: "WATTLAB_SHARED", "../shared" or "cache". */
  where: string;
  dir: string;
}

/** The cache's fixtures folder: $WATTLAB_CACHE, $XDG_CACHE_HOME/wattlab or ~/.cache/wattlab, + /fixtures. */
export function fixtureCacheDir(env: Env = process.env): string {
  const base = env.WATTLAB_CACHE || (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, "wattlab") : join(homedir(), ".cache", "wattlab"));
  return join(base, "fixtures");
}

/** The folders looked at, in order. */
export function fixtureRoots(options: FixtureLookupOptions = {}): FixtureRoot[] {
  const env = options.env ?? process.env;
  const roots: FixtureRoot[] = [];
  if (env.WATTLAB_SHARED !== "none") {
    if (env.WATTLAB_SHARED) roots.push({ where: "WATTLAB_SHARED", dir: env.WATTLAB_SHARED });
    roots.push({ where: "../shared", dir: join(options.repoRoot ?? repoRoot, "..", "shared") });
  }
  roots.push({ where: "cache", dir: fixtureCacheDir(env) });
  return roots;
}

/** The files a path needs: itself, or for a folder every manifest file under it (public stand-ins excluded). */
function requiredFiles(relative: string): string[] {
  const entries = fixturesAt(relative).filter((f) => !f.standsInFor);
  return entries.length > 0 ? entries.map((f) => f.path) : [relative];
}

/** Where a fixture (a file, or a folder of them) is found, first root first; a folder must be whole in one root. */
export function locateFixture(relative: string, options: FixtureLookupOptions = {}): { path: string; where: string } | null {
  const needed = requiredFiles(relative);
  for (const root of fixtureRoots(options)) {
    if (needed.every((file) => existsSync(join(root.dir, file)))) return { path: join(root.dir, relative), where: root.where };
  }
  return null;
}

/** The one-line skip reason for a fixture found nowhere: what is missing and how to get it. */
export function missingFixtureReason(relative: string, options: FixtureLookupOptions = {}): string {
  const entries = fixturesAt(relative);
  const derived = entries.filter((f: Fixture) => !f.url && !f.standsInFor).map((f) => f.path);
  const get = "run `npm run fixtures` online, or set WATTLAB_SHARED=/path/to/shared";
  if (entries.length === 0) return `${FIXTURE_SKIP_PREFIX} ${relative} (not listed in test/support/fixtures.ts, so it cannot be downloaded; set WATTLAB_SHARED=/path/to/shared)`;
  if (derived.length > 0) {
    const cache = fixtureCacheDir(options.env ?? process.env);
    return `${FIXTURE_SKIP_PREFIX} ${relative} (${derived.join(", ")}: no public download; place a copy at ` +
      `${derived.map((d) => join(cache, d)).join(", ")} or set WATTLAB_SHARED=/path/to/shared)`;
  }
  return `${FIXTURE_SKIP_PREFIX} ${relative} (${get})`;
}

/** Path to a fixture under shared/ (a file or a folder), or a skip reason string for node:test's `skip` option. */
export function sharedPath(relative: string, options: FixtureLookupOptions = {}): { path: string; skip: false } | { path: ""; skip: string } {
  const found = locateFixture(relative, options);
  if (found) return { path: found.path, skip: false };
  return { path: "", skip: missingFixtureReason(relative, options) };
}

/** The first shared/-like folder that exists ($WATTLAB_SHARED, then ../shared), or null. */
export function sharedDir(options: FixtureLookupOptions = {}): string | null {
  const found = fixtureRoots(options).find((r) => r.where !== "cache" && (existsSync(join(r.dir, "README.md")) || existsSync(join(r.dir, "fixtures"))));
  return found?.dir ?? null;
}

export { repoRoot };
