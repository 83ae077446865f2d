// What a published package carries: `npm pack --dry-run` (the real npm, on this checkout) lists only what a user needs:
// the compiled library and CLI, the runtime folders the code reads from the package root (data, python, scripts,
// notebooks), the examples and the README; never results, benchmarks, tests, models or the TypeScript sources.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const besideNode = join(dirname(process.execPath), "npm");
const npm = existsSync(besideNode) ? besideNode : "npm";

function packedFiles(): string[] {
  const r = spawnSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `npm pack --dry-run failed: ${r.error?.message ?? r.stderr}`);
  const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return pack.files.map((f) => f.path);
}

const ALLOWED = [/^bin\//, /^dist\/src\/.*\.(js|d\.ts)$/, /^data\/(README\.md|synthetic\/)/, /^python\//, /^scripts\//, /^notebooks\/[^/]+\.ipynb$/, /^examples\//, /^(README\.md|package\.json|LICENSE)$/];

test("npm pack lists only what a user needs, and everything the code reads from the package root", { timeout: 150_000 }, () => {
  const files = packedFiles();
  const stray = files.filter((path) => !ALLOWED.some((allowed) => allowed.test(path)));
  assert.deepEqual(stray, [], "files a user does not need (results, bench, test, models, sources, source maps…)");
  for (const folder of ["results/", "bench/", "test/", "models/", "src/", "dist/test/", "dist/bench/"]) {
    assert.ok(!files.some((path) => path.startsWith(folder)), `${folder} must stay out of the package`);
  }
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string; types: string; bin: Record<string, string> };
  const needed = [
    pkg.main, pkg.types, ...Object.values(pkg.bin), "dist/src/notebook/kernel-main.js", "dist/src/meter/sampler-worker.js",
    "python/wattlab_window.py", "scripts/llamacpp-cuda-build.sh", "data/README.md", "README.md",
    ...readdirSync(join(root, "data", "synthetic")).map((name) => `data/synthetic/${name}`),
    ...readdirSync(join(root, "notebooks")).filter((name) => name.endsWith(".ipynb")).map((name) => `notebooks/${name}`),
  ].map((path) => path.replace(/^\.\//, ""));
  assert.deepEqual(needed.filter((path) => !files.includes(path)), [], "files the package needs at run time");
});
