// wattlab slurm's scripts, without a Slurm cluster: their text, the committed example, and the scripts themselves run
// by bash with the variables Slurm would set (test/lab/slurm-cluster.test.ts runs them under a real slurmctld).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJobId, shellQuote, slurmScripts, type SlurmScriptOptions } from "../../src/lab/slurm.js";
import { packageRoot } from "../../src/version.js";

const bin = join(packageRoot(), "bin", "wattlab.js");
const wattlab = (args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd, env, timeout: 120_000 });

/** The command that generated examples/slurm/ (its scripts' header says the same). */
export const EXAMPLE_ARGS = [
  "slurm", "--preset", "seed-study", "--shards", "4", "--partition", "gpu", "--time", "08:00:00", "--cpus-per-task", "8", "--mem", "64G",
  "--wattlab", "node bin/wattlab.js", "--out", "results/seed-study",
];

const base = (over: Partial<SlurmScriptOptions> = {}): SlurmScriptOptions => ({
  sweepArgs: ["--preset", "seed-study"], shards: 3, out: "results/x", resources: { gpusPerTask: 1 }, wattlab: "node bin/wattlab.js",
  generatedBy: "wattlab slurm --preset seed-study --shards 3 --out results/x", ...over,
});

test("the array has one task per shard, each running its own shard with the GPUs asked for; options pass through", () => {
  const { array, merge } = slurmScripts(base({ resources: { gpusPerTask: 2, partition: "gpu", account: "lab", time: "01:00:00", constraint: "h100", cpusPerTask: 4, mem: "32G" } }));
  for (const line of ["#SBATCH --array=0-2", "#SBATCH --gpus-per-task=2", "#SBATCH --partition=gpu", "#SBATCH --account=lab",
    "#SBATCH --time=01:00:00", "#SBATCH --constraint=h100", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=32G"]) {
    assert.ok(array.split("\n").includes(line), `${line} in the array script`);
  }
  assert.match(array, /node bin\/wattlab\.js sweep --preset seed-study \\\n {2}--shard "\$\{SLURM_ARRAY_TASK_ID\}\/3" --out results\/x/);
  assert.match(merge, /shards=\(results\/x\/metrics\.shard-\*-of-3\.jsonl\)/);
  assert.match(merge, /merge "\$\{shards\[@\]\}" --out results\/x\/metrics\.jsonl --expect-keys results\/x\/plan-keys\.txt/);
  assert.ok(!merge.includes("--constraint"), "the merge needs no GPU node");
  const cpu = slurmScripts(base({ resources: { gpusPerTask: 0 } })).array;
  assert.ok(!cpu.includes("--gpus-per-task") && !cpu.includes("--gres"), "a CPU sweep asks for no GPU");
});

test("flags the array sets itself, and impossible counts, are refused in one line", () => {
  assert.throws(() => slurmScripts(base({ sweepArgs: ["--preset", "seed-study", "--shard", "0/2"] })), /--shard is set by the job array/);
  assert.throws(() => slurmScripts(base({ sweepArgs: ["--out=elsewhere"] })), /--out is set by the job array/);
  assert.throws(() => slurmScripts(base({ shards: 0 })), /--shards must be a whole number ≥ 1, got 0/);
  assert.throws(() => slurmScripts(base({ resources: { gpusPerTask: 1.5 } })), /--gpus-per-task must be a whole number ≥ 0/);
});

test("sbatch --parsable's job id is read with or without a cluster name; anything else is an error", () => {
  assert.equal(parseJobId("4242\n"), "4242");
  assert.equal(parseJobId("4242;cluster-a\n"), "4242");
  assert.throws(() => parseJobId("sbatch: error: invalid partition\n"), /not a job id/);
  assert.equal(shellQuote("node bin/wattlab.js"), "'node bin/wattlab.js'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote("--batch-size=1,2"), "--batch-size=1,2");
});

test("examples/slurm/ is exactly what wattlab slurm generates, so it cannot drift", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-slurm-example-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = wattlab(EXAMPLE_ARGS, dir);
  assert.equal(result.status, 0, result.stderr);
  for (const name of ["sweep-array.sbatch", "merge.sbatch"]) {
    const committed = readFileSync(join(packageRoot(), "examples", "slurm", name), "utf8");
    assert.equal(committed, readFileSync(join(dir, "results", "seed-study", name), "utf8"),
      `examples/slurm/${name} differs from what the command generates; regenerate it: in a scratch folder run wattlab ${EXAMPLE_ARGS.map(shellQuote).join(" ")} and copy results/seed-study/${name} to examples/slurm/`);
  }
  assert.ok(existsSync(join(dir, "results", "seed-study", "plan-keys.txt")));
});

test("without sbatch, --submit says how to get Slurm and leaves the scripts written", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-slurm-nosbatch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = wattlab(["slurm", "--model", "tiny", "--shards", "2", "--out", "r", "--submit"], dir, { ...process.env, PATH: join(dir, "empty") });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /sbatch is not on PATH: run this on the cluster's login node \(or install Slurm's client: apt-get install slurm-client/);
  assert.ok(existsSync(join(dir, "r", "sweep-array.sbatch")) && existsSync(join(dir, "r", "merge.sbatch")));
});

test("the generated scripts, run by bash as Slurm would run them, sweep their shards and merge; the merge names what is missing", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-slurm-bash-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "r");
  const made = wattlab(["slurm", "--model", "tiny", "--engine", "onnxruntime", "--device", "cpu", "--dataset", "synthetic", "--batch-size", "1,2",
    "--reps", "2", "--idle-seconds", "0", "--min-window-s", "0.2", "--shards", "2", "--gpus-per-task", "0", "--out", out], dir);
  assert.equal(made.status, 0, made.stderr);
  const planned = readFileSync(join(out, "plan-keys.txt"), "utf8").trim().split("\n");
  assert.equal(planned.length, 4);
  const task = (id: number) => spawnSync("bash", [join(out, "sweep-array.sbatch")], {
    encoding: "utf8", cwd: dir, timeout: 120_000,
    env: { ...process.env, SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_JOB_ID: "77", SLURM_JOB_ID: String(78 + id), SLURMD_NODENAME: "node-a" },
  });
  const merge = () => spawnSync("bash", [join(out, "merge.sbatch")], { encoding: "utf8", cwd: dir, timeout: 120_000 });
  const first = task(0);
  assert.equal(first.status, 0, first.stderr);
  const partial = merge();
  assert.equal(partial.status, 1, "a merge with a shard missing exits 1");
  const missing = [...partial.stderr.matchAll(/missing (\S+)/g)].map((m) => m[1]);
  assert.equal(missing.length, 2, partial.stderr);
  assert.ok(missing.every((k) => planned.includes(k)));
  assert.equal(task(1).status, 0);
  const full = merge();
  assert.equal(full.status, 0, full.stderr);
  assert.match(full.stdout, /all 4 planned runs completed/);
  const rows = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows.map((r) => r.key).sort(), [...planned].sort());
  for (const r of rows) {
    assert.equal(r.slurm_array_job_id, "77");
    assert.equal(r.slurm_node, "node-a");
    assert.equal(r.slurm_job_id, String(78 + Number(r.slurm_array_task_id)));
    assert.equal(missing.includes(r.key as string), r.slurm_array_task_id === "1", "shard 1 ran exactly the keys the merge named missing");
  }
  assert.deepEqual(readdirSync(out).filter((f) => f.startsWith("metrics.shard-")).sort(),
    ["metrics.shard-0-of-2.csv", "metrics.shard-0-of-2.jsonl", "metrics.shard-1-of-2.csv", "metrics.shard-1-of-2.jsonl"]);
});
