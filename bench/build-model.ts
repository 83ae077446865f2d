// Benchmark: how long building a model takes and how much memory it holds (the builder streams weights,
// so peak RSS should stay in the hundreds of MB whatever the model size). Each build runs in a child
// process so that its peak RSS (VmHWM, read in the child; see buildInChild) is its own. Two sizes
// give the marginal memory per model byte: near 0 when memory is bounded, near 1 when weights are held.
//   node --import tsx bench/build-model.ts        (WATTLAB_BENCH_BIG=1 adds llama-2-7b fp16, 13.5 GB of disk)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelDtype } from "../src/models/build.js";
import { getPreset, type ModelConfig } from "../src/models/presets.js";

/** One build: a preset by name, or a config under a name of its own. */
export interface BuildCase {
  name: string;
  preset?: string;
  config?: ModelConfig;
  dtype: ModelDtype;
}

export interface BuildMeasurement {
  name: string;
  dtype: ModelDtype;
  buildSeconds: number;
  /** Peak resident set of the child that built it (its whole life: Node, imports, workers): VmHWM on Linux. Units: bytes. */
  maxRssBytes: number;
  /** process.resourceUsage().maxRSS in the child; on Linux at least the parent's RSS at spawn. Units: bytes. */
  rusageMaxRssBytes: number;
  /** model.onnx + model.onnx.data. Units: bytes. */
  modelBytes: number;
  parameterCount: number;
}

/** llama-100m's shapes scaled up: 16 layers of width 1024, 252 M parameters, 1.0 GB of fp32 weights. */
export const LLAMA_1GB_CONFIG: ModelConfig = {
  ...getPreset("llama-100m"),
  hidden_size: 1024, intermediate_size: 2816, num_hidden_layers: 16, num_attention_heads: 16, num_key_value_heads: 8,
};

/** A 19 M-parameter Llama (75 MB in fp32): the small end of the memory comparison. */
export const LLAMA_75MB_CONFIG: ModelConfig = {
  ...getPreset("llama-100m"),
  hidden_size: 256, intermediate_size: 688, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2,
};

function buildInChild(c: BuildCase, outDir: string, scratch: string): BuildMeasurement {
  const fromSource = import.meta.url.endsWith(".ts");
  const buildUrl = new URL(fromSource ? "../src/models/build.ts" : "../src/models/build.js", import.meta.url).href;
  const options = { preset: c.preset, config: c.config, dtype: c.dtype, outDir };
  // Linux carries ru_maxrss across exec, so a child's maxRSS starts at its parent's RSS at spawn (a parent
  // holding a 400 MB model made every build read 471 MB); VmHWM is the high-water mark of the child's own memory.
  const script = `import { readFileSync } from "node:fs";
const { buildModel } = await import(${JSON.stringify(buildUrl)});
const m = await buildModel(${JSON.stringify(options)});
let hwmKb = NaN;
try { hwmKb = Number(/^VmHWM:\\s+(\\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]); } catch {}
const maxRssKb = process.resourceUsage().maxRSS;
console.log(JSON.stringify({ buildSeconds: m.buildSeconds, maxRssBytes: (Number.isFinite(hwmKb) ? hwmKb : maxRssKb) * 1024,
  rusageMaxRssBytes: maxRssKb * 1024, modelBytes: m.modelBytes, parameterCount: m.parameterCount }));`;
  const scriptPath = join(scratch, "build-child.mjs");
  writeFileSync(scriptPath, script);
  const args = [...(fromSource ? ["--import", "tsx"] : []), scriptPath];
  const out = execFileSync(process.execPath, args, { encoding: "utf8", cwd: fileURLToPath(new URL("..", import.meta.url)) });
  return { name: c.name, dtype: c.dtype, ...JSON.parse(out.trim().split("\n").at(-1)!) as Omit<BuildMeasurement, "name" | "dtype"> };
}

/** Builds each case in its own child process, into a temporary folder deleted afterwards. */
export function measureBuilds(cases: readonly BuildCase[]): BuildMeasurement[] {
  const root = mkdtempSync(join(tmpdir(), "wattlab-bench-build-"));
  try {
    return cases.map((c) => {
      const dir = join(root, `${c.name}-${c.dtype}`);
      try {
        return buildInChild(c, dir, root);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Builds llama-100m (fp16 and int4), and with WATTLAB_BENCH_BIG=1 also llama-2-7b fp16 (13.5 GB of disk). */
export async function benchBuildModel(): Promise<Record<string, number | string>> {
  const cases: BuildCase[] = [{ name: "llama-100m", preset: "llama-100m", dtype: "fp16" }, { name: "llama-100m", preset: "llama-100m", dtype: "int4" }];
  if (process.env.WATTLAB_BENCH_BIG === "1") cases.push({ name: "llama-2-7b", preset: "llama-2-7b", dtype: "fp16" });
  const result: Record<string, number | string> = {};
  for (const r of measureBuilds(cases)) {
    const key = `${r.name}_${r.dtype}`;
    result[`${key}_seconds`] = Number(r.buildSeconds.toFixed(2));
    result[`${key}_peakRssMB`] = Math.round(r.maxRssBytes / 2 ** 20);
    result[`${key}_modelMB`] = Math.round(r.modelBytes / 2 ** 20);
    result[`${key}_MparamsPerSecond`] = Number((r.parameterCount / r.buildSeconds / 1e6).toFixed(1));
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await benchBuildModel());
}
