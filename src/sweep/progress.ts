// Progress of a sweep: events for callers, and a console renderer (a bar with ETA on a terminal, one plain
// line per run otherwise, so logs from Slurm or CI stay readable).
import { describeConfig } from "./dimensions.js";
import type { RunState } from "./record.js";
import type { Shard } from "./shard.js";
import type { PlannedRun } from "./spec.js";

export type ProgressEvent =
  | { kind: "plan"; sweep: string; total: number; skipped: number; pending: number; shard: Shard | null }
  | { kind: "group"; group: string; loadS: number | null; error: string | null }
  | { kind: "run-start"; done: number; pending: number; run: PlannedRun }
  | { kind: "run-end"; done: number; pending: number; run: PlannedRun; state: RunState; seconds: number; etaS: number | null; error: string | null }
  | { kind: "done"; completed: number; failed: number; skipped: number; seconds: number };

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function label(run: PlannedRun): string {
  return `${describeConfig(run.config)} rep ${run.repetition + 1}`;
}

/** Renders events to a stream: a redrawn bar when it is a TTY, plain lines otherwise. */
export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): (event: ProgressEvent) => void {
  const tty = stream.isTTY === true;
  const width = 24;
  const bar = (done: number, total: number) => {
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
  };
  return (e) => {
    switch (e.kind) {
      case "plan":
        stream.write(`sweep ${e.sweep}${e.shard ? ` shard ${e.shard.index}/${e.shard.count}` : ""}: ${e.total} runs, ${e.skipped} already done, ${e.pending} to run\n`);
        break;
      case "group":
        if (tty) stream.write("\r\x1b[K");
        stream.write(e.error ? `  engine group ${e.group} failed to open: ${e.error}\n` : `  loaded ${e.group}${e.loadS !== null ? ` in ${e.loadS.toFixed(2)} s` : ""}\n`);
        break;
      case "run-start":
        if (tty) stream.write(`\r\x1b[K${bar(e.done, e.pending)} ${e.done}/${e.pending}  ${label(e.run)}`);
        break;
      case "run-end": {
        const eta = e.etaS === null ? "" : ` ETA ${formatDuration(e.etaS)}`;
        if (tty) {
          if (e.state === "failed") stream.write(`\r\x1b[K  failed: ${label(e.run)}: ${e.error}\n`);
          stream.write(`\r\x1b[K${bar(e.done, e.pending)} ${e.done}/${e.pending}${eta}`);
        } else {
          stream.write(`  ${e.done}/${e.pending} ${e.state} ${label(e.run)} (${e.seconds.toFixed(2)} s)${eta}${e.error ? `: ${e.error}` : ""}\n`);
        }
        break;
      }
      case "done":
        if (tty) stream.write("\r\x1b[K");
        stream.write(`sweep done in ${formatDuration(e.seconds)}: ${e.completed} completed, ${e.failed} failed, ${e.skipped} skipped\n`);
        break;
    }
  };
}
