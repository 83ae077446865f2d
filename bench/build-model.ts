// Benchmark: how long building a model takes and how much memory it holds (the builder streams weights,
// so peak RSS should stay in the hundreds of MB whatever the model size). Each build runs in a child
// process so that its peak RSS is its own.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface ChildResult { buildSeconds: number; maxRssBytes: number; modelBytes: number; parameterCount: number }

function buildInChild(preset: string, dtype: string, outDir: string, scratch: string): ChildResult {
  const fromSource = import.meta.url.endsWith(".ts");
  const buildUrl = new URL(fromSource ? "../src/models/build.ts" : "../src/models/build.js", import.meta.url).href;
  const script = `const { buildModel } = await import(${JSON.stringify(buildUrl)});
const m = await buildModel({ preset: ${JSON.stringify(preset)}, dtype: ${JSON.stringify(dtype)}, outDir: ${JSON.stringify(outDir)} });
console.log(JSON.stringify({ buildSeconds: m.buildSeconds, maxRssBytes: process.resourceUsage().maxRSS * 1024,
  modelBytes: m.modelBytes, parameterCount: m.parameterCount }));`;
  const scriptPath = join(scratch, "build-child.mjs");
  writeFileSync(scriptPath, script);
  const args = [...(fromSource ? ["--import", "tsx"] : []), scriptPath];
  const out = execFileSync(process.execPath, args, { encoding: "utf8", cwd: fileURLToPath(new URL("..", import.meta.url)) });
  return JSON.parse(out.trim().split("\n").at(-1)!) as ChildResult;
}

/** Builds llama-100m (fp16 and int4), and with WATTLAB_BENCH_BIG=1 also llama-2-7b fp16 (13.5 GB of disk). */
export async function benchBuildModel(): Promise<Record<string, number | string>> {
  const root = mkdtempSync(join(tmpdir(), "wattlab-bench-build-"));
  const result: Record<string, number | string> = {};
  const cases: [string, string][] = [["llama-100m", "fp16"], ["llama-100m", "int4"]];
  if (process.env.WATTLAB_BENCH_BIG === "1") cases.push(["llama-2-7b", "fp16"]);
  try {
    for (const [preset, dtype] of cases) {
      const dir = join(root, `${preset}-${dtype}`);
      const r = buildInChild(preset, dtype, dir, root);
      const key = `${preset}_${dtype}`;
      result[`${key}_seconds`] = Number(r.buildSeconds.toFixed(2));
      result[`${key}_peakRssMB`] = Math.round(r.maxRssBytes / 2 ** 20);
      result[`${key}_modelMB`] = Math.round(r.modelBytes / 2 ** 20);
      result[`${key}_MparamsPerSecond`] = Number((r.parameterCount / r.buildSeconds / 1e6).toFixed(1));
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await benchBuildModel());
}
