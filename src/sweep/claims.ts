// Per-run claims beside a results file (.claims/<key>.claim, created O_EXCL), so that sweeps sharing a results folder
// never measure a run twice; claims of dead processes are taken over under a short reclaim lock.
import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeAll } from "./write-all.js";
import { pidAlive } from "../util/process.js";

/** Who holds a claim: a process on a host. */
export interface ClaimOwner {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** One identity per process: two sweeps of one process on one folder wait for each other's claims like any two. */
const PROCESS_CLAIMS_SINCE = new Date().toISOString();

/** A claim file whose writer died before writing it whole counts as stale after this long. Units: ms. */
const UNREADABLE_CLAIM_STALE_MS = 10_000;


/** When a process started (Linux /proc; clock ticks taken as 100 Hz); null elsewhere or when it is gone. Units: ms since the epoch. */
function processStartedAtMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/**
 * Per-run claims beside a results file, so that sweeps sharing a results folder never measure a run twice.
 * Before measuring a run, a sweep creates `.claims/<key>.claim` (O_EXCL: one process wins) holding its pid and
 * host; it removes the file after the run's row is in the store. A claim whose process is gone (same host, pid
 * dead) is stale and is taken over, under a short `.reclaim` lock so that two processes never both take it.
 * Claims of another host are honoured until that host's process removes them.
 */
export class RunClaims {
  readonly dir: string;
  private readonly mine = new Set<string>();
  private readonly owner: ClaimOwner = { pid: process.pid, hostname: hostname(), startedAt: PROCESS_CLAIMS_SINCE };

  /** `folder`: the results folder (the claims live in `<folder>/.claims`). */
  constructor(folder: string) {
    this.dir = join(folder, ".claims");
  }

  private file(key: string): string {
    return join(this.dir, `${key.replace(/[^\w.-]/g, "_")}.claim`);
  }

  private createExclusive(path: string): boolean {
    let fd: number;
    for (let attempt = 0; ; attempt++) {
      mkdirSync(this.dir, { recursive: true });
      try {
        fd = openSync(path, "wx");
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EEXIST") return false;
        // another sweep removed the emptied folder between our mkdir and open: make it again
        if (code !== "ENOENT" || attempt >= 5) throw error;
      }
    }
    try { writeAll(fd, JSON.stringify(this.owner) + "\n"); } finally { closeSync(fd); }
    return true;
  }

  /** The holder of a claim file; null when there is none; "unreadable" while its writer has not finished it (or died first). */
  private read(path: string): ClaimOwner | "unreadable" | null {
    let text: string;
    try { text = readFileSync(path, "utf8"); } catch { return null; }
    try {
      const owner = JSON.parse(text) as ClaimOwner;
      return typeof owner.pid === "number" && typeof owner.hostname === "string" ? owner : "unreadable";
    } catch {
      return "unreadable";
    }
  }

  private stale(path: string, owner: ClaimOwner | "unreadable"): boolean {
    if (owner === "unreadable") {
      try { return Date.now() - statSync(path).mtimeMs > UNREADABLE_CLAIM_STALE_MS; } catch { return false; }
    }
    if (owner.hostname !== this.owner.hostname) return false;
    // our own pid in a claim we did not make, or a live pid that started after the claim was made: a dead process's
    // claim whose pid was given to another process since
    if (owner.pid === process.pid) return owner.startedAt !== this.owner.startedAt;
    if (!pidAlive(owner.pid)) return true;
    const started = processStartedAtMs(owner.pid), claimed = Date.parse(owner.startedAt);
    return started !== null && Number.isFinite(claimed) && started > claimed + 1000;
  }

  /** Takes over a stale claim; false when another process got there first. */
  private reclaim(path: string, seen: ClaimOwner | "unreadable"): boolean {
    const lock = path.replace(/\.claim$/, ".reclaim");
    if (!this.createExclusive(lock)) {
      const holder = this.read(lock);
      if (holder !== null && this.stale(lock, holder)) rmSync(lock, { force: true }); // a reclaimer that died: try again later
      return false;
    }
    try {
      const now = this.read(path);
      if (now !== null && JSON.stringify(now) !== JSON.stringify(seen)) return false; // someone else's fresh claim
      rmSync(path, { force: true });
      return this.createExclusive(path);
    } finally {
      rmSync(lock, { force: true });
    }
  }

  /** Claims `key` for this process: true when it is ours to measure, false while another live process holds it. */
  claim(key: string): boolean {
    if (this.mine.has(key)) return true;
    const path = this.file(key);
    let won = this.createExclusive(path);
    if (!won) {
      const holder = this.read(path);
      if (holder === null) won = this.createExclusive(path); // released meanwhile
      else if (this.stale(path, holder)) won = this.reclaim(path, holder);
    }
    if (won) this.mine.add(key);
    return won;
  }

  /** Who holds `key` now, when another live process does; null when it is free, stale or ours. */
  heldBy(key: string): ClaimOwner | null {
    if (this.mine.has(key)) return null;
    const path = this.file(key);
    const holder = this.read(path);
    if (holder === null || this.stale(path, holder)) return null;
    return holder === "unreadable" ? { pid: -1, hostname: "?", startedAt: "?" } : holder;
  }

  /** Removes this process's claim on `key` (after its row is stored, or when it is not measured after all). */
  release(key: string): void {
    if (!this.mine.delete(key)) return;
    rmSync(this.file(key), { force: true });
  }

  /** Releases every claim this process holds (a sweep that stops early). */
  releaseAll(): void {
    for (const key of [...this.mine]) this.release(key);
    try { rmdirSync(this.dir); } catch { /* not empty (another sweep's claims), or already gone */ }
  }
}

/** Columns for an export: RECORD_COLUMNS first (stable across files), then any others in first-seen order. */
