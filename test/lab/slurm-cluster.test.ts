// wattlab slurm against a real single-node Slurm cluster: munged, slurmctld and slurmd from the distribution's packages
// (Debian: apt-get install slurmctld slurmd munge slurm-client), started here as root with a slurm.conf written here,
// stopped at the end. Skips, saying why, where they are not installed or cannot start.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/version.js";

const DAEMONS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel"];
const SBIN = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

function which(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? "").split(":"), ...SBIN]) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Cluster {
  dir: string;
  env: NodeJS.ProcessEnv;
  stop(): void;
  logs(): string;
}

/** munged, slurmctld and slurmd on this host, in `dir`; null and the reason when they cannot start. */
async function startCluster(dir: string, tools: Record<string, string>): Promise<Cluster | string> {
  const munge = join(dir, "munge");
  mkdirSync(munge, { mode: 0o700 });
  for (const sub of ["state", "spool", "log"]) mkdirSync(join(dir, sub));
  writeFileSync(join(munge, "key"), randomBytes(1024), { mode: 0o600 });
  chmodSync(join(munge, "key"), 0o600);
  const socket = join(munge, "socket");
  const pids = [join(dir, "slurmd.pid"), join(dir, "slurmctld.pid"), join(munge, "pid")];
  // SIGTERM, then wait (up to 15 s each) until the daemon is gone: slurmctld saves its state as it exits, and the
  // folder cannot be removed while it writes
  const stop = () => {
    for (const file of pids) {
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, "utf8").trim());
      try { if (pid > 0) process.kill(pid, "SIGTERM"); } catch { continue; /* already gone */ }
      const until = Date.now() + 15_000;
      const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
      while (alive() && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  };
  const node = hostname().split(".")[0];
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, "slurm.conf");
  writeFileSync(conf, [
    "ClusterName=wattlabtest",
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    "SlurmUser=root",
    "SlurmdUser=root",
    "AuthType=auth/munge",
    `AuthInfo=socket=${socket}`,
    "CredType=cred/munge",
    `StateSaveLocation=${join(dir, "state")}`,
    `SlurmdSpoolDir=${join(dir, "spool")}`,
    `SlurmctldPidFile=${pids[1]}`,
    `SlurmdPidFile=${pids[0]}`,
    `SlurmctldLogFile=${join(dir, "log", "slurmctld.log")}`,
    `SlurmdLogFile=${join(dir, "log", "slurmd.log")}`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_Core",
    "MpiDefault=none",
    "ReturnToService=2",
    "AccountingStorageType=accounting_storage/none",
    "JobAcctGatherType=jobacct_gather/none",
    "JobCompType=jobcomp/none",
    "MinJobAge=300",
    "KillWait=5",
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus().length} State=UNKNOWN`,
    "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
    "",
  ].join("\n"));
  const env = { ...process.env, SLURM_CONF: conf };
  const logs = () => ["log/slurmctld.log", "log/slurmd.log", "munge/log"].map((f) => join(dir, f)).filter(existsSync)
    .map((f) => `--- ${f}\n${readFileSync(f, "utf8").split("\n").slice(-15).join("\n")}`).join("\n");
  const started = (args: [string, string[]]) => {
    const r = spawnSync(args[0], args[1], { encoding: "utf8", env, timeout: 30_000 });
    return r.status === 0 ? null : `${args[0]} ${args[1].join(" ")} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split("\n").pop()}`;
  };
  const failed = started([tools.munged, ["--key-file", join(munge, "key"), "--socket", socket, "--pid-file", pids[2], "--log-file", join(munge, "log"), "--seed-file", join(munge, "seed"), "--force"]])
    ?? started([tools.slurmctld, ["-f", conf, "-i"]])
    ?? started([tools.slurmd, ["-f", conf, "-N", node]]);
  if (failed) {
    stop();
    return `${failed}\n${logs()}`;
  }
  for (let i = 0; i < 60; i++) {
    const info = spawnSync(tools.sinfo, ["-h", "-N", "-o", "%t"], { encoding: "utf8", env });
    if (info.status === 0 && /^(idle|mix|alloc)/m.test(info.stdout)) return { dir, env, stop, logs };
    await sleep(500);
  }
  stop();
  return `the node did not come up (sinfo: ${spawnSync(tools.sinfo, ["-h", "-N"], { encoding: "utf8", env }).stdout.trim()})\n${logs()}`;
}

type Row = Record<string, unknown> & { key: string; state: string };
const rowsOf = (file: string): Row[] => readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row);

test("a 3-shard sweep as a Slurm job array plus its afterany merge equals an unsharded run; a cancelled task's runs finish on resubmit", { timeout: 240_000 }, async (t) => {
  const tools: Record<string, string> = {};
  for (const name of DAEMONS) {
    const path = which(name);
    if (!path) { t.skip(`${name} is not installed (Debian: apt-get install slurmctld slurmd munge slurm-client)`); console.log(`# skipped: ${name} is not installed`); return; }
    tools[name] = path;
  }
  if (process.getuid?.() !== 0) { t.skip("starting munged, slurmctld and slurmd here needs root"); console.log("# skipped: not root"); return; }
  const dir = mkdtempSync(join(tmpdir(), "wattlab-slurm-cluster-"));
  const cluster = await startCluster(dir, tools);
  if (typeof cluster === "string") {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`the Slurm daemons could not start: ${cluster.split("\n")[0]}`);
    console.log(`# skipped: the Slurm daemons could not start: ${cluster}`);
    return;
  }
  const jobs: string[] = [];
  t.after(() => {
    if (jobs.length) spawnSync(tools.scancel, jobs, { env: cluster.env });
    cluster.stop();
    // slurmctld may still be saving its state as it exits: retry rather than fail a test that passed
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });
  const { env } = cluster;
  const bin = join(packageRoot(), "bin", "wattlab.js");
  const sweepFlags = ["--model", "tiny", "--engine", "onnxruntime", "--device", "cpu", "--dataset", "synthetic", "--batch-size", "1,2",
    "--reps", "3", "--idle-seconds", "0", "--min-window-s", "0.2"];
  const out = join(dir, "results");

  // Unsharded, for the key set the array must reproduce.
  const whole = spawnSync(process.execPath, [bin, "sweep", ...sweepFlags, "--out", join(dir, "whole"), "--no-progress"], { encoding: "utf8", cwd: dir, timeout: 120_000 });
  assert.equal(whole.status, 0, whole.stderr);
  const wholeKeys = rowsOf(join(dir, "whole", "metrics.jsonl")).map((r) => r.key).sort();
  assert.equal(wholeKeys.length, 6);

  const submit = () => {
    const r = spawnSync(process.execPath, [bin, "slurm", ...sweepFlags, "--shards", "3", "--gpus-per-task", "0", "--cpus-per-task", "1", "--out", out, "--submit"],
      { encoding: "utf8", cwd: dir, env, timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stderr}\n${cluster.logs()}`);
    const m = /array job (\d+) \(3 tasks\), merge job (\d+) \(afterany:(\d+)\)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(m[3], m[1]);
    jobs.push(m[1], m[2]);
    return { array: m[1], merge: m[2] };
  };
  const waitFor = async (ids: string[]) => {
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const q = spawnSync(tools.squeue, ["-h", "-j", ids.join(","), "-o", "%i %T"], { encoding: "utf8", env });
      if (q.status === 0 && q.stdout.trim() === "") return;
      if (q.status === 0 && !/PENDING|RUNNING|CONFIGURING|COMPLETING/.test(q.stdout)) return;
      await sleep(1000);
    }
    assert.fail(`jobs ${ids.join(", ")} still queued after 150 s\n${cluster.logs()}`);
  };
  const mergeLog = (id: string) => readFileSync(join(out, "logs", `wattlab-merge-${id}.out`), "utf8");

  // First submission: task 2 is cancelled (it waits for a core behind tasks 0 and 1, or dies mid-way); the merge
  // still runs (afterany) and names the runs that have no completed row.
  const first = submit();
  const cancel = spawnSync(tools.scancel, [`${first.array}_2`], { encoding: "utf8", env });
  assert.equal(cancel.status, 0, cancel.stderr);
  await waitFor([first.array, first.merge]);
  const firstLog = mergeLog(first.merge);
  const missing = [...firstLog.matchAll(/missing (\S+)/g)].map((m) => m[1]);
  assert.ok(missing.length > 0, `the merge after a cancelled task names missing runs:\n${firstLog}`);
  assert.ok(missing.every((k) => wholeKeys.includes(k)));
  const planKeys = readFileSync(join(out, "plan-keys.txt"), "utf8").trim().split("\n").sort();
  assert.deepEqual(planKeys, wholeKeys, "the plan the array shards is the unsharded sweep's");

  // Resubmitting the same command finishes only what is missing.
  const second = submit();
  await waitFor([second.array, second.merge]);
  const secondLog = mergeLog(second.merge);
  assert.match(secondLog, /all 6 planned runs completed/, secondLog);
  const rows = rowsOf(join(out, "metrics.jsonl"));
  assert.deepEqual(rows.map((r) => r.key).sort(), wholeKeys, "the merged store has exactly the unsharded sweep's keys");
  const node = hostname().split(".")[0];
  for (const r of rows) {
    assert.equal(r.state, "completed");
    assert.equal(r.slurm_node, node);
    assert.ok(["0", "1", "2"].includes(String(r.slurm_array_task_id)), `task id ${String(r.slurm_array_task_id)}`);
    assert.match(String(r.slurm_job_id), /^\d+$/);
    const expectedArray = missing.includes(r.key) ? second.array : first.array;
    assert.equal(r.slurm_array_job_id, expectedArray, `${r.key}: run by the ${missing.includes(r.key) ? "second" : "first"} submission only`);
  }
  assert.ok(readdirSync(join(out, "logs")).some((f) => f.startsWith(`wattlab-sweep-${second.array}_`)));
});
