// Test doubles implementing the real interfaces: a byte-level tokenizer, an engine that does real CPU work
// with a deterministic token function, and a meter whose windows are timed by a fake clock (so joules are
// exact and assertable). The end-to-end run with real engines and meters is the integration's job.
import { performance } from "node:perf_hooks";
import type { PromptTokenizer } from "../../../src/data/prompts.js";
import type { Engine, EngineInfo, GenerateRequest, GenerationHooks, GenerationResult } from "../../../src/engine/types.js";
import type { MeterDescription } from "../../../src/meter/description.js";
import type { FigureSource, WindowMeasurement } from "../../../src/meter/types.js";
import type { RunConfig } from "../../../src/sweep/dimensions.js";
import type { OpenEngineOptions, SweepDeps, SweepMeter } from "../../../src/sweep/run.js";

/** UTF-8 bytes as ids 0–255, BOS 256, EOS 257, pad 258. */
export class ByteTokenizer implements PromptTokenizer {
  readonly vocabSize = 259;
  readonly bosTokenId = 256;
  readonly eosTokenIds = [257];
  readonly padTokenId = 258;
  readonly addBos = true;
  readonly chatTemplate: string | null = null;
  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    const ids = [...Buffer.from(text, "utf8")];
    return options.addSpecialTokens === false ? ids : [this.bosTokenId, ...ids];
  }
  decode(ids: readonly number[]): string {
    return Buffer.from(ids.filter((i) => i < 256)).toString("utf8");
  }
}

export class OutOfMemoryError extends Error {
  override name = "OutOfMemoryError";
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

export interface CountingEngineOptions {
  contextLength?: number;
  /** Mixing rounds per token: real CPU work that grows with prompt length and batch. */
  workPerToken?: number;
  /** Throw this after beforePrefill (a window is open), e.g. an out-of-memory at a large batch. */
  failWhen?(request: GenerateRequest): Error | null;
  device?: EngineInfo["device"];
}

/** A deterministic "model": next token = hash of the row's history; real work, no weights. */
export class CountingEngine implements Engine {
  readonly info: EngineInfo;
  disposed = false;
  generateCalls = 0;

  constructor(private readonly options: CountingEngineOptions = {}) {
    this.info = {
      engine: "onnxruntime", device: options.device ?? "cpu", weightForm: "test fp32", backendVersion: "counting-engine 1",
      contextLength: options.contextLength ?? 4096, vocabSize: 259, eosTokenIds: [257], loadS: 0.125,
    };
  }

  private work(h: number, token: number): number {
    for (let i = 0; i < (this.options.workPerToken ?? 200); i++) h = mix(h, token + i);
    return h;
  }

  async generate(request: GenerateRequest, hooks: GenerationHooks = {}): Promise<GenerationResult> {
    if (this.disposed) throw new Error("generate after dispose");
    this.generateCalls++;
    await hooks.beforePrefill?.();
    const failure = this.options.failWhen?.(request) ?? null;
    if (failure) throw failure;
    const t0 = performance.now();
    const states = request.promptIds.map((prompt) => prompt.reduce((h, t) => this.work(h, t), 0x811c9dc5));
    const outputs = states.map((s) => [s % 256]);
    const prefillS = (performance.now() - t0) / 1000;
    await hooks.afterPrefill?.();
    const decodeStepS: number[] = [];
    const live = outputs.map(() => true);
    for (let step = 1; step < request.maxNewTokens; step++) {
      const t = performance.now();
      outputs.forEach((out, r) => {
        if (!live[r]) return;
        states[r] = this.work(states[r], out[out.length - 1]);
        const token = states[r] % 258; // 257 is EOS: rows may stop early unless fixedLength
        if (token === 257 && !request.fixedLength) { live[r] = false; return; }
        out.push(request.fixedLength && token === 257 ? 0 : token);
      });
      decodeStepS.push((performance.now() - t) / 1000);
    }
    await hooks.afterDecode?.();
    return {
      outputIds: outputs,
      inputTokens: request.promptIds.reduce((s, p) => s + p.length, 0),
      outputTokens: outputs.reduce((s, o) => s + o.length, 0),
      prefillS,
      decodeStepS,
      totalS: prefillS + decodeStepS.reduce((s, x) => s + x, 0),
      peakRssBytes: process.memoryUsage().rss,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** A clock that moves `stepS` per reading: every window opened and closed back to back lasts exactly stepS. */
export function steppingClock(stepS: number): () => number {
  let t = 0;
  return () => (t += stepS);
}

export interface FakeMeterOptions {
  clock: () => number;
  gpuW?: number;
  cpuW?: number;
  dramW?: number;
  idleW?: number;
  sources?: { gpu: FigureSource; cpu: FigureSource; dram: FigureSource };
  peakGpuMemoryMb?: number;
  gpuName?: string;
}

/** Constant power per device; Zeus-style named windows (duplicate or unknown names are errors). */
export class FakeClockMeter implements SweepMeter {
  readonly open = new Map<string, number>();
  idlePowerW: number | null = null;
  closed = false;
  cancelled: string[] = [];
  readonly ended: string[] = [];
  constructor(private readonly o: FakeMeterOptions) {}

  private get sources() {
    return this.o.sources ?? { gpu: "counter", cpu: "estimated", dram: "none" };
  }

  begin(name: string): void {
    if (this.open.has(name)) throw new Error(`window "${name}" is already open`);
    this.open.set(name, this.o.clock());
  }

  end(name: string): WindowMeasurement {
    const start = this.open.get(name);
    if (start === undefined) throw new Error(`window "${name}" was never begun`);
    this.open.delete(name);
    this.ended.push(name);
    const seconds = this.o.clock() - start;
    const s = this.sources;
    const gpuJ = s.gpu === "none" ? 0 : (this.o.gpuW ?? 100) * seconds;
    const cpuJ = s.cpu === "none" ? 0 : (this.o.cpuW ?? 20) * seconds;
    const dramJ = s.dram === "none" ? 0 : (this.o.dramW ?? 5) * seconds;
    const total = gpuJ + cpuJ + dramJ;
    const idleJ = this.idlePowerW === null ? null : this.idlePowerW * seconds;
    return {
      name, seconds,
      gpus: s.gpu === "none" ? [] : [{ index: 0, name: this.o.gpuName ?? "Fake GPU", energyJ: gpuJ, source: s.gpu, peakMemoryMb: this.o.peakGpuMemoryMb ?? 1024 }],
      gpuEnergyJ: gpuJ, cpuEnergyJ: cpuJ, dramEnergyJ: dramJ, totalEnergyJ: total,
      dynamicEnergyJ: idleJ === null ? total : Math.max(0, total - idleJ),
      idleShare: idleJ === null ? null : total > 0 ? Math.min(1, idleJ / total) : null,
      avgPowerW: seconds > 0 ? total / seconds : 0, peakPowerW: seconds > 0 ? total / seconds : 0,
      peakGpuMemoryMb: s.gpu === "none" ? 0 : this.o.peakGpuMemoryMb ?? 1024, sources: s,
    };
  }

  cancel(name: string): void {
    this.open.delete(name);
    this.cancelled.push(name);
  }

  async measureIdle(): Promise<{ powerW: number }> {
    this.idlePowerW = this.o.idleW ?? 50;
    return { powerW: this.idlePowerW };
  }

  describe(): MeterDescription {
    return {
      sampleMs: 100, channels: ["gpu0", "cpu"],
      gpu: {
        source: "nvml", driverVersion: "999.1", library: null, cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? null, reason: null, notes: [],
        devices: [{ index: 0, name: this.o.gpuName ?? "Fake GPU", uuid: null, memoryTotalMb: null, powerLimitW: null, smClockMhz: null, memoryClockMhz: null, energyCounter: true, powerReadings: true }],
      },
      cpu: { source: "estimate", model: "Fake CPU", logicalCpus: 2, zones: [], tdpW: 20, tdpSource: "test", reason: "test", },
      carbon: null, warnings: [],
    };
  }

  close(): void {
    this.closed = true;
  }
}

export interface StandInDeps {
  deps: SweepDeps;
  meters: FakeClockMeter[];
  engines: CountingEngine[];
  opened: OpenEngineOptions[];
}

/** Deps wired to the stand-ins; `failOpen` makes a group's engine fail to load (e.g. an EP error). */
export function standInDeps(options: {
  engine?: CountingEngineOptions;
  meter?: Omit<FakeMeterOptions, "clock">;
  failOpen?(o: OpenEngineOptions): Error | null;
  contextLength?(model: string): number | undefined;
} = {}): StandInDeps {
  const out: StandInDeps = { meters: [], engines: [], opened: [], deps: undefined as unknown as SweepDeps };
  out.deps = {
    resolveModel: async (model, quantization) => ({ dir: `/models/${model}-${quantization}`, manifestHash: `manifest-${model}-${quantization}` }),
    openEngine: async (o) => {
      out.opened.push(o);
      const failure = options.failOpen?.(o);
      if (failure) throw failure;
      const engine = new CountingEngine(options.engine);
      out.engines.push(engine);
      return { engine, tokenizer: new ByteTokenizer() };
    },
    openMeter: async () => {
      const meter = new FakeClockMeter({ clock: steppingClock(0.25), ...options.meter });
      out.meters.push(meter);
      return meter;
    },
    contextLength: options.contextLength ?? (() => undefined),
    sleep: async () => {},
  };
  return out;
}

/**
 * A small grid over the synthetic dataset (no dataset files needed): 2 batch × 2 output × reps. Prefill
 * energy from the run's own window only: the repeated-prefill loop has its own tests (prefill-*.test.ts)
 * and would add generate calls and a second per run here.
 */
export function smallSpecJson(reps = 2): Record<string, unknown> {
  return {
    name: "small", mode: "grid",
    base: { model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "synthetic", input_length: 24, output_length: 6, batch_size: 1 },
    dimensions: { batch_size: [1, 3], output_length: [4, 6] },
    repetitions: reps, warmup_runs: 1, prefill_energy: "window",
  };
}

export function configOf(row: Record<string, unknown>): Partial<RunConfig> {
  return { batchSize: row.batch_size as number, outputLength: row.output_length as number };
}
