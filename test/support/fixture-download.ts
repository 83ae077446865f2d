// Downloads missing fixtures from their pinned URLs into the user cache, checking each against its digest before
// anything is written (then a temp file renamed into place, so a cache never holds a partial or wrong file).
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FIXTURES, type Fixture } from "./fixtures.js";
import { fixtureCacheDir, locateFixture, type FixtureLookupOptions } from "./shared.js";

type Env = Record<string, string | undefined>;

export interface DownloadOptions {
  /** The cache's fixtures folder the file goes into. */
  cacheDir: string;
  /** Replaces every pinned URL with `${baseUrl}/${fixture.path}`; for the tests of this downloader only. */
  baseUrl?: string;
  /** Per file, for the whole transfer; default 120 s. */
  timeoutMs?: number;
}

/** The URL a fixture is downloaded from, or null for a derived file with none. */
export function fixtureUrl(fixture: Fixture, baseUrl?: string): string | null {
  if (baseUrl) return `${baseUrl.replace(/\/+$/, "")}/${fixture.path}`;
  return fixture.url ?? null;
}

/** git's blob id of some bytes: sha1 over "blob <size>\0" and the bytes. */
export function gitBlobSha1(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Throws, naming the file and both digests, where the bytes are not the pinned ones. */
export function checkDigest(fixture: Fixture, bytes: Uint8Array, url: string): void {
  if (fixture.sha256) {
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== fixture.sha256) {
      throw new Error(`${fixture.path}: sha256 mismatch for ${url}: expected ${fixture.sha256}, got ${actual} (${bytes.length} bytes); nothing was kept`);
    }
  }
  if (fixture.gitBlobSha1) {
    const actual = gitBlobSha1(bytes);
    if (actual !== fixture.gitBlobSha1) {
      throw new Error(`${fixture.path}: git blob id mismatch for ${url}: expected ${fixture.gitBlobSha1}, got ${actual} (${bytes.length} bytes); nothing was kept`);
    }
  }
  if (!fixture.sha256 && !fixture.gitBlobSha1) throw new Error(`${fixture.path}: the manifest pins no digest, so it is not downloaded`);
}

/** Downloads one fixture into the cache and returns its path; on any failure nothing is left in the cache. */
export async function downloadFixture(fixture: Fixture, options: DownloadOptions): Promise<string> {
  const url = fixtureUrl(fixture, options.baseUrl);
  if (!url) throw new Error(`${fixture.path}: no public download (${fixture.evidence} file)`);
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    throw new Error(`${fixture.path}: GET ${url} failed: ${describe(e)}`);
  }
  checkDigest(fixture, bytes, url);
  const target = join(options.cacheDir, fixture.path);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}-${randomBytes(4).toString("hex")}.part`;
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, target);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new Error(`${fixture.path}: writing ${target} failed: ${describe(e)}`);
  }
  return target;
}

/** A network error's cause (undici puts the useful part there: ECONNREFUSED, ENOTFOUND, a timeout). */
function describe(e: unknown): string {
  const error = e as Error & { cause?: { code?: string; message?: string } };
  if (error?.name === "TimeoutError") return "timed out";
  const cause = error?.cause ? ` (${error.cause.code ?? error.cause.message})` : "";
  return `${error?.message ?? String(e)}${cause}`;
}

/** One short request to see whether the network answers; any HTTP status counts as online. */
export async function probeOnline(url: string, timeoutMs = 1500): Promise<{ online: true } | { online: false; why: string }> {
  try {
    await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    return { online: true };
  } catch (e) {
    return { online: false, why: `${new URL(url).origin} did not answer: ${describe(e)}` };
  }
}

/** Why downloads are off by setting, or null. */
export function offlineBySetting(env: Env): string | null {
  if (env.WATTLAB_OFFLINE) return "WATTLAB_OFFLINE is set";
  return null;
}

export type FixtureStatus =
  | { path: string; state: "found"; where: string; file: string }
  | { path: string; state: "stand-in"; standIn: string; where: string }
  | { path: string; state: "downloaded"; file: string }
  | { path: string; state: "failed"; why: string }
  | { path: string; state: "unavailable"; why: string };

export interface FetchOptions extends FixtureLookupOptions {
  /** A quick check (the probe waits 1.5 s rather than 10 s) for the start of a test run. */
  ifOnline?: boolean;
  /** How long the one request that checks for a network may wait before all downloads are given up. */
  probeTimeoutMs?: number;
  downloadTimeoutMs?: number;
  fixtures?: readonly Fixture[];
}

/**
 * Finds every manifest fixture, downloading the missing ones that have a pinned URL. A derived file with a public
 * stand-in (the full Alpaca for the 5,000-row sample) counts as present once the stand-in is.
 */
export async function fetchFixtures(options: FetchOptions = {}): Promise<{ statuses: FixtureStatus[]; offline: string | null }> {
  const env = options.env ?? process.env;
  const fixtures = options.fixtures ?? FIXTURES;
  const baseUrl = env.WATTLAB_FIXTURES_BASE_URL || undefined;
  const cacheDir = fixtureCacheDir(env);
  const statuses = new Map<string, FixtureStatus>();
  const missing: Fixture[] = [];
  for (const fixture of fixtures) {
    const found = locateFixture(fixture.path, options);
    if (found) statuses.set(fixture.path, { path: fixture.path, state: "found", where: found.where, file: found.path });
  }
  for (const fixture of fixtures) {
    if (statuses.has(fixture.path)) continue;
    // a public stand-in is only needed where the file it stands in for is neither here nor downloadable
    const target = fixture.standsInFor && fixtures.find((f) => f.path === fixture.standsInFor);
    if (target && (statuses.get(target.path)?.state === "found" || fixtureUrl(target, baseUrl))) continue;
    if (!fixtureUrl(fixture, baseUrl)) {
      const standIn = fixtures.find((f) => f.standsInFor === fixture.path);
      const instead = standIn ? `; the tests accept ${standIn.path} instead` : "";
      statuses.set(fixture.path, { path: fixture.path, state: "unavailable", why: `${fixture.evidence} file with no public download${instead} (see test/support/fixtures.ts)` });
    } else {
      missing.push(fixture);
    }
  }
  let offline: string | null = null;
  if (missing.length > 0) {
    offline = offlineBySetting(env);
    if (!offline) {
      const probe = await probeOnline(new URL(fixtureUrl(missing[0], baseUrl)!).origin + "/", options.probeTimeoutMs ?? (options.ifOnline ? 1500 : 10_000));
      if (!probe.online) offline = `offline: ${probe.why}`;
    }
    for (const fixture of missing) {
      if (offline) {
        statuses.set(fixture.path, { path: fixture.path, state: "failed", why: `not downloaded: ${offline}` });
        continue;
      }
      try {
        const file = await downloadFixture(fixture, { cacheDir, baseUrl, timeoutMs: options.downloadTimeoutMs });
        statuses.set(fixture.path, { path: fixture.path, state: "downloaded", file });
      } catch (e) {
        statuses.set(fixture.path, { path: fixture.path, state: "failed", why: (e as Error).message });
      }
    }
  }
  // a derived file is covered by its public stand-in
  for (const fixture of fixtures) {
    const status = statuses.get(fixture.path);
    if (status?.state !== "unavailable") continue;
    const standIn = fixtures.find((f) => f.standsInFor === fixture.path);
    const standInStatus = standIn && statuses.get(standIn.path);
    if (standInStatus && (standInStatus.state === "found" || standInStatus.state === "downloaded")) {
      statuses.set(fixture.path, { path: fixture.path, state: "stand-in", standIn: standIn!.path, where: standInStatus.state === "found" ? standInStatus.where : "cache" });
    }
  }
  const ordered = fixtures.map((f) => statuses.get(f.path)).filter((s): s is FixtureStatus => s !== undefined);
  return { statuses: ordered, offline };
}
