// What a model build tells the user before and while it writes: what is built, how big, how much disk is free
// (refusing when it cannot fit), progress with bytes/s and ETA for big files, and the partial output of an
// interrupted build removed (at once on SIGINT/SIGTERM, or at the next start from its marker file).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { pidAlive } from "../util/process.js";

/** Builds at least this big announce themselves and show progress; smaller ones (the tiny model) stay silent. Units: bytes. */
export const BIG_BUILD_BYTES = 100 * 2 ** 20;

export interface BuildNotice {
  /** Where the lines go; default stderr. */
  say?: (line: string) => void;
  /** Free bytes on the disk holding `dir` (null: unknown); default statfs. Tests stand in a small disk here. */
  freeBytes?: (dir: string) => number | null;
  /** Milliseconds between progress lines; default 5000 (1000 on a terminal). */
  progressIntervalMs?: number;
  /** Builds at least this big announce themselves and show progress. Units: bytes. Default BIG_BUILD_BYTES. */
  announceBytes?: number;
}

const defaultSay = (line: string) => process.stderr.write(line + "\n");

/** "26.9 GB", "412 MB", "3.1 kB" (decimal units, as disks are sold). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes, unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${s.toFixed(0)} s`;
  if (s < 5400) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Free bytes for an unprivileged writer on the disk of `path` (or of its nearest existing parent); null where unknown. */
export function freeDiskBytes(path: string): number | null {
  let dir = resolve(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/**
 * Before writing `bytes` into `dir`: refuses when the disk cannot hold them, and for a big build prints one line
 * saying what is built, its size and the free disk.
 */
export function preflightBuild(what: string, bytes: number, dir: string, notice: BuildNotice = {}): void {
  const free = (notice.freeBytes ?? freeDiskBytes)(dir);
  if (free !== null && bytes > free) {
    throw new Error(`${what}: needs ${formatBytes(bytes)} but the disk holding ${dir} has ${formatBytes(free)} free; ` +
      `free some space or build elsewhere (WATTLAB_MODELS_DIR, or --out on another disk)`);
  }
  if (bytes >= (notice.announceBytes ?? BIG_BUILD_BYTES)) {
    (notice.say ?? defaultSay)(`building ${what}: ${formatBytes(bytes)} into ${dir}${free === null ? "" : ` (${formatBytes(free)} free)`}`);
  }
}

/** Progress of writing `totalBytes`: a line at most every interval with bytes done, bytes/s and ETA; silent for small writes. */
export class WriteProgress {
  private readonly started: number;
  private last: number;
  private readonly interval: number;
  private readonly say: (line: string) => void;
  private readonly quiet: boolean;

  constructor(private readonly label: string, private readonly totalBytes: number, notice: BuildNotice = {},
    private readonly now: () => number = () => performance.now()) {
    this.started = this.last = now();
    this.interval = notice.progressIntervalMs ?? (process.stderr.isTTY ? 1000 : 5000);
    this.say = notice.say ?? defaultSay;
    this.quiet = totalBytes < (notice.announceBytes ?? BIG_BUILD_BYTES);
  }

  /** Reports that `fraction` (0..1) of the bytes are written. */
  update(fraction: number): void {
    if (this.quiet) return;
    const t = this.now();
    if (t - this.last < this.interval && fraction < 1) return;
    this.last = t;
    const seconds = (t - this.started) / 1000;
    const done = fraction * this.totalBytes;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.totalBytes - done) / rate : Infinity;
    this.say(`  ${this.label}: ${formatBytes(done)} of ${formatBytes(this.totalBytes)} (${(fraction * 100).toFixed(0)}%), ` +
      `${formatBytes(rate)}/s, ${fraction >= 1 ? `done in ${formatSeconds(seconds)}` : `ETA ${formatSeconds(eta)}`}`);
  }
}

/** The marker beside a partial build: who is writing it. */
interface BuildMarker { pid: number; hostname: string; startedAt: string; target: string }

const MARKER_SUFFIX = ".building";

/** Where a build of `target` writes before it is renamed into place, per process. */
export function partialPath(target: string): string {
  return `${target}.partial-${process.pid}`;
}


/**
 * Removes the partial output of builds in `dir` that were interrupted (their marker names a process of this host
 * that is gone); returns what it removed.
 */
export function removeStalePartials(dir: string, say: (line: string) => void = defaultSay): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(MARKER_SUFFIX) || !name.includes(".partial-")) continue;
    const marker = join(dir, name);
    let m: BuildMarker;
    try { m = JSON.parse(readFileSync(marker, "utf8")) as BuildMarker; } catch { continue; }
    if (m.hostname !== hostname() || pidAlive(m.pid)) continue;
    const partial = marker.slice(0, -MARKER_SUFFIX.length);
    rmSync(partial, { recursive: true, force: true });
    rmSync(marker, { force: true });
    removed.push(partial);
    say(`removed ${basename(partial)}, the unfinished build of ${basename(m.target)} left by process ${m.pid} (interrupted ${m.startedAt})`);
  }
  return removed;
}

/**
 * Runs `build(partial)` with a marker file beside `partial` and handlers that remove both if the process is
 * interrupted (SIGINT, SIGTERM) while it runs; the caller renames `partial` into place afterwards. On an error the
 * partial output is removed too.
 */
export async function withPartialBuild<T>(target: string, build: (partial: string) => Promise<T>): Promise<T> {
  const partial = partialPath(target);
  const marker = partial + MARKER_SUFFIX;
  const cleanup = () => {
    rmSync(partial, { recursive: true, force: true });
    rmSync(marker, { force: true });
  };
  cleanup();
  mkdirSync(dirname(partial), { recursive: true });
  const info: BuildMarker = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), target };
  writeFileSync(marker, JSON.stringify(info) + "\n");
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.stderr.write(`\nwattlab: interrupted; removed the unfinished build ${partial}\n`);
    // the build's own listener was the one keeping the default action away: restore it and re-raise
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await build(partial);
  } catch (error) {
    cleanup();
    throw error;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    rmSync(marker, { force: true });
  }
}
