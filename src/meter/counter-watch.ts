// Watching energy counters closely (in the sampler thread, which owns the devices): the probe at open that times
// each counter's updates, and the waits that align a window's ends to them.
//
// A stepped counter (NVML's moves about every 100 ms) read at an arbitrary instant lags the energy by up to one step.
// An aligned window therefore begins right after an update (the reading is then exact) and, at its end, waits for
// the next update and the one after: the energy at the window's true end is the first of those values less the
// tail after the work, at the power the counter showed between the two (the GPU idling after the work). The window
// is then exact but for the tail's estimate, a few ms of idle power, instead of ±1 step at each end.
import type { Channel } from "./devices/channel.js";
import { resolutionFromChanges, type ChannelResolution } from "./resolution.js";

/** Counters slower than this are stepped enough to be worth aligning to. Units: ms. */
export const ALIGN_MIN_UPDATE_MS = 20;

export interface CounterChange {
  /** When the new value was first seen (ms on the sampler's clock). */
  tMs: number;
  valueJ: number;
}

export interface WatchClock {
  nowMs(): number;
  /** Blocks the thread for about `ms` (the sampler thread may block: it owns nothing else). */
  sleepMs(ms: number): void;
}

/** A blocking clock for a worker thread: Atomics.wait on a private buffer sleeps without spinning. */
export function threadClock(nowMs: () => number): WatchClock {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return { nowMs, sleepMs: (ms) => { Atomics.wait(cell, 0, 0, ms); } };
}

function readCounter(channel: Channel): number | null {
  try {
    const c = channel.read(false).counterJ;
    return typeof c === "number" && Number.isFinite(c) ? c : null;
  } catch {
    return null;
  }
}

/**
 * For each channel, the first change of its counter after `from` (its value when the watch began, read now when
 * absent), or null if none came within `capMs`. All channels are watched at once, every `pollMs`.
 */
export function nextChanges(channels: readonly Channel[], clock: WatchClock, capMs: number, pollMs = 1, from?: readonly (number | null)[]): (CounterChange | null)[] {
  const start = from ? [...from] : channels.map(readCounter);
  const out: (CounterChange | null)[] = channels.map(() => null);
  const deadline = clock.nowMs() + capMs;
  let left = channels.filter((_, i) => start[i] !== null).length;
  while (left > 0 && clock.nowMs() < deadline) {
    clock.sleepMs(pollMs);
    channels.forEach((channel, i) => {
      if (out[i] || start[i] === null) return;
      const v = readCounter(channel);
      if (v !== null && v !== start[i]) {
        out[i] = { tMs: clock.nowMs(), valueJ: v };
        left--;
      }
    });
  }
  return out;
}

/**
 * Times each counter channel's updates for up to `probeForMs` (stopping once every channel showed `changes` of them).
 * Channels whose period is known from their nature (nominalUpdateMs) are not watched; channels without a counter
 * integrate power samples, so their resolution is the sampling period.
 */
export function probeResolution(channels: readonly Channel[], clock: WatchClock, options: { probeForMs: number; sampleMs: number; changes?: number }): ChannelResolution[] {
  const wanted = options.changes ?? 5;
  const watched = channels.filter((c) => c.info.hasCounter && c.info.nominalUpdateMs === undefined);
  const seen: CounterChange[][] = watched.map(() => []);
  const last = watched.map(readCounter);
  const deadline = clock.nowMs() + Math.max(0, options.probeForMs);
  while (clock.nowMs() < deadline && seen.some((s, i) => s.length < wanted && last[i] !== null)) {
    clock.sleepMs(1);
    watched.forEach((channel, i) => {
      if (seen[i].length >= wanted) return;
      const v = readCounter(channel);
      if (v !== null && last[i] !== null && v !== last[i]) seen[i].push({ tMs: clock.nowMs(), valueJ: v });
      if (v !== null) last[i] = v;
    });
  }
  return channels.map((c) => {
    const key = c.info.key;
    if (c.info.nominalUpdateMs !== undefined) return { key, updateMs: c.info.nominalUpdateMs, stepJ: null, basis: "nominal", updatesSeen: 0 };
    if (!c.info.hasCounter) return { key, updateMs: options.sampleMs, stepJ: null, basis: "sampled", updatesSeen: 0 };
    return resolutionFromChanges(key, seen[watched.indexOf(c)]);
  });
}

/** Indices of the channels whose counters step slowly enough to align windows to. */
export function steppedChannels(resolution: readonly ChannelResolution[]): number[] {
  return resolution.flatMap((r, i) => (r.basis === "probed" && r.updateMs !== null && r.updateMs >= ALIGN_MIN_UPDATE_MS ? [i] : []));
}

/**
 * The counter's value at `endMs` from the two updates that followed it: first − slope × (first.tMs − endMs), with
 * the slope between the two (what the device drew right after the window). Null when either update is missing.
 */
export function valueAtEnd(endMs: number, first: CounterChange | null, second: CounterChange | null): number | null {
  if (!first || !second || !(second.tMs > first.tMs)) return null;
  const slopeJPerMs = (second.valueJ - first.valueJ) / (second.tMs - first.tMs);
  return first.valueJ - slopeJPerMs * Math.max(0, first.tMs - endMs);
}
