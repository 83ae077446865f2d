// What a running meter costs the work it measures: a CPU-bound JS matrix multiply timed bare and inside a
// window of a meter sampling every 100 ms and every 10 ms (the work alone is timed, not begin/end), same
// process, rounds interleaved so drift hits all alike. GPUs: the real NVML where it loads, else (with a C
// compiler) the fake one, 2 GPUs whose calls sleep 1 ms like a real one's. On a shared 2-core machine the
// spread between rounds dwarfs 1 %: run it on a quiet host.
// Overhead: the median over rounds of metered / bare time in the same round, with the rounds' range.
// Goal: overhead under 1 %. Also reports what an empty begin+end costs (each reads every energy counter) and
// the CPU the sampler itself uses while the process idles (% of one core; load from others does not move it).
//   node --import tsx bench/meter-overhead.ts [rounds] [trialMs] [idleMs]
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Meter, type MeterOptions } from "../src/meter/index.js";
import { fakeNvml } from "../test/meter/fake-nvml.js";
import { pairedRatios } from "./ratios.js";

const N = 96;
const a = Float64Array.from({ length: N * N }, (_, i) => ((i * 7919) % 101) / 101);
const b = Float64Array.from({ length: N * N }, (_, i) => ((i * 104729) % 103) / 103);
const c = new Float64Array(N * N);

function matmul(): number {
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum += a[i * N + k] * b[k * N + j];
      c[i * N + j] = sum;
    }
  }
  return c[N + 1];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Repetitions that take about `trialMs` here. */
function calibrate(trialMs: number): number {
  for (let i = 0; i < 5; i++) matmul();
  const started = performance.now();
  let reps = 0;
  while (performance.now() - started < 100) {
    matmul();
    reps++;
  }
  return Math.max(1, Math.round((reps * trialMs) / (performance.now() - started)));
}

/** Milliseconds of the work alone; inside a window when metered (begin/end have a fixed cost of their own, reported apart). */
async function trial(reps: number, meter: Meter | null): Promise<number> {
  if (meter) await meter.begin("work");
  const started = performance.now();
  for (let r = 0; r < reps; r++) matmul();
  const elapsed = performance.now() - started;
  if (meter) await meter.end("work");
  return elapsed;
}

/** The real NVML when it loads (a GPU host), else the fake when cc exists, else CPU only. */
async function chooseNvml(): Promise<{ options: MeterOptions; nvml: string }> {
  const probe = await Meter.open({ cpu: "none", onWarning: () => undefined });
  const { gpu } = probe.describe();
  await probe.close();
  if (gpu.source === "nvml" && gpu.devices.length > 0) return { options: {}, nvml: `real NVML, ${gpu.devices.length} × ${gpu.devices[0].name}` };
  const fake = fakeNvml();
  if (typeof fake === "string") return { options: { gpus: "none" }, nvml: `none (${fake}): CPU only` };
  fake.configure({ count: 2, power_w: "300,250", call_delay_us: 1000 });
  return { options: { nvmlLibraryPath: fake.libraryPath }, nvml: "fake NVML, 2 GPUs, 1 ms per call" };
}

/** CPU time of the whole process (the sampler thread included) per wall second while idle, as % of one core. */
async function idleCpuPctOfCore(idleMs: number): Promise<number> {
  const before = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1000 / (performance.now() - started)) * 100;
}

export async function benchMeterOverhead(rounds = 7, trialMs = 300, idleMs = 1000): Promise<Record<string, number | string>> {
  const { options, nvml } = await chooseNvml();
  const base: MeterOptions = { cpu: "auto", onWarning: () => undefined, ...options };
  const reps = calibrate(trialMs);
  const times: Record<"off" | "ms100" | "ms10", number[]> = { off: [], ms100: [], ms10: [] };
  const windowMs: number[] = [];
  const metered = async (sampleMs: number): Promise<number> => {
    const meter = await Meter.open({ ...base, sampleMs });
    try {
      // A new thread keeps the CPU busy for a while after it is ready (compilation, GC): let that pass.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const elapsed = await trial(reps, meter);
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await meter.begin("empty");
        await meter.end("empty");
        windowMs.push(performance.now() - started);
      }
      return elapsed;
    } finally {
      await meter.close();
    }
  };
  // What the sampler takes from the machine, robust to load from others: CPU use of an idle process with and without it.
  const idle: Record<"off" | "ms100" | "ms10", number> = { off: await idleCpuPctOfCore(idleMs), ms100: NaN, ms10: NaN };
  for (const [key, sampleMs] of [["ms100", 100], ["ms10", 10]] as const) {
    const meter = await Meter.open({ ...base, sampleMs });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      idle[key] = await idleCpuPctOfCore(idleMs);
    } finally {
      await meter.close();
    }
  }
  // The same settling pause before a bare trial: a meter closed just before winds its thread down meanwhile.
  const bare = async (): Promise<number> => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return trial(reps, null);
  };
  await trial(reps, null); // warm-up
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no configuration always runs first after a meter closed.
    const order = [["off", 0], ["ms100", 100], ["ms10", 10]].map((_, i, all) => all[(i + round) % all.length]) as [keyof typeof times, number][];
    for (const [key, sampleMs] of order) times[key].push(sampleMs === 0 ? await bare() : await metered(sampleMs));
  }
  const off = median(times.off);
  // per round: metered / bare of the same round; the median of those, and their spread
  const pct = (ratio: number): number => Number(((ratio - 1) * 100).toFixed(2));
  const r100 = pairedRatios(times.ms100, times.off);
  const r10 = pairedRatios(times.ms10, times.off);
  return {
    nvml,
    rounds,
    repsPerTrial: reps,
    offMedianMs: Number(off.toFixed(1)),
    sample100MedianMs: Number(median(times.ms100).toFixed(1)),
    sample10MedianMs: Number(median(times.ms10).toFixed(1)),
    overhead100msPct: pct(r100.median),
    overhead100msMinPct: pct(r100.min),
    overhead100msMaxPct: pct(r100.max),
    overhead10msPct: pct(r10.median),
    overhead10msMinPct: pct(r10.min),
    overhead10msMaxPct: pct(r10.max),
    goalPct: 1,
    idleCpuOffPctOfCore: Number(idle.off.toFixed(2)),
    idleCpu100msPctOfCore: Number(idle.ms100.toFixed(2)),
    idleCpu10msPctOfCore: Number(idle.ms10.toFixed(2)),
    emptyWindowMedianMs: Number(median(windowMs).toFixed(2)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [rounds, trialMs, idleMs] = process.argv.slice(2).map(Number);
  console.table(await benchMeterOverhead(rounds || undefined, trialMs || undefined, idleMs || undefined));
}
