// A TypeScript project that depends on wattlab compiles with skipLibCheck: false: the public .d.ts files pull in no
// types of danfojs (whose own need `request` and `papaparse` typings a consumer does not have).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { packageRoot } from "../../src/version.js";

test("a consumer compiling against wattlab's dist with skipLibCheck: false sees no errors", (t) => {
  const root = packageRoot();
  const dir = mkdtempSync(join(tmpdir(), "wattlab-consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "wattlab"));
  symlinkSync(join(root, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: false, noEmit: true, types: ["node"] },
    files: ["index.ts"],
  }));
  writeFileSync(join(dir, "index.ts"), [
    'import { Meter, measureGeneration, sweep, toFrame, type Frame, type MeasuredGeneration, type RunRecord } from "wattlab";',
    "const frame: Frame = toFrame([{ a: 1 }]);",
    "const columns: string[] = frame.columns;",
    "const run = async (): Promise<MeasuredGeneration> => measureGeneration({ model: \"tiny\" });",
    "const rows = async (): Promise<RunRecord[]> => (await sweep({ spec: { extends: \"tiny-batch\" }, outDir: \"results\" })).rows;",
    "void Meter; void columns; void run; void rows;",
    "",
  ].join("\n"));
  const tsc = join(dirname(createRequire(join(root, "package.json")).resolve("typescript/package.json")), "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8", timeout: 180_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // and the declarations wattlab ships name no danfojs type
  assert.doesNotMatch(readFileSync(join(root, "dist", "src", "analysis", "results.d.ts"), "utf8"), /from "danfojs/);
});
