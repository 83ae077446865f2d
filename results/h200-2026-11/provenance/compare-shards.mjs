// Issue 10's checks on a two-GPU sweep: (1) the merged keys equal an unsharded run's; (2) each worker's
// GPU joules stay within its own GPU's NVML counter delta (an idle GPU is not charged to a busy one).
// usage: node results/h200-2026-11/provenance/compare-shards.mjs ONE/metrics.jsonl TWO_DIR counters-before.json counters-after.json [one-before.json one-after.json]
// With the last two (counters around the one-GPU run), (3): that run's rows, metered on GPU 0, against each GPU's
// counter: an idle GPU 1 charged to them would push the GPU-0 ratio over 1.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [oneFile, twoDir, beforeFile, afterFile, oneBeforeFile, oneAfterFile] = process.argv.slice(2);
const rows = (f) => readFileSync(f, "utf8").split("\n").filter(Boolean).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
const done = (rs) => new Set(rs.filter((r) => r.state === "completed").map((r) => r.key));
const one = done(rows(oneFile));
const merged = done(rows(join(twoDir, "metrics.jsonl")));
const same = one.size === merged.size && [...one].every((k) => merged.has(k));
console.log(`keys: unsharded ${one.size}, merged ${merged.size}, identical sets: ${same}`);
const before = JSON.parse(readFileSync(beforeFile, "utf8")).mJ, after = JSON.parse(readFileSync(afterFile, "utf8")).mJ;
for (const [i, gpu] of [[0, "0"], [1, "1"]]) {
  const f = join(twoDir, `metrics.shard-${i}-of-2.jsonl`);
  if (!existsSync(f)) { console.log(`shard ${i}: missing`); continue; }
  const rs = rows(f).filter((r) => r.state === "completed");
  const gpuJ = rs.reduce((a, r) => a + (r.gpu_energy_j_measured ?? 0), 0);
  const counterJ = (after[gpu] - before[gpu]) / 1000;
  console.log(`shard ${i} on GPU ${gpu}: ${rs.length} runs, rows' GPU energy ${gpuJ.toFixed(1)} J, GPU ${gpu}'s counter over the whole sharded sweep ${counterJ.toFixed(1)} J, ratio ${(gpuJ / counterJ).toFixed(3)}`);
}
const all = [0, 1].flatMap((i) => existsSync(join(twoDir, `metrics.shard-${i}-of-2.jsonl`)) ? rows(join(twoDir, `metrics.shard-${i}-of-2.jsonl`)) : []);
const total = all.reduce((a, r) => a + (r.gpu_energy_j_measured ?? 0), 0);
const both = Object.keys(after).reduce((a, g) => a + (after[g] - before[g]) / 1000, 0);
console.log(`all rows' GPU energy ${total.toFixed(1)} J vs both GPUs' counters ${both.toFixed(1)} J (rows cover only the generation windows, so ≤ 1): ${(total / both).toFixed(3)}`);

if (oneBeforeFile && oneAfterFile) {
  const b = JSON.parse(readFileSync(oneBeforeFile, "utf8")).mJ, a = JSON.parse(readFileSync(oneAfterFile, "utf8")).mJ;
  const oneJ = rows(oneFile).filter((r) => r.state === "completed").reduce((s, r) => s + (r.gpu_energy_j_measured ?? 0), 0);
  for (const g of Object.keys(a)) {
    const c = (a[g] - b[g]) / 1000;
    console.log(`one-GPU run: rows' GPU energy ${oneJ.toFixed(1)} J vs GPU ${g}'s counter ${c.toFixed(1)} J: ${(oneJ / c).toFixed(3)}`);
  }
}
