// Kernelspecs: the committed portable one matches the generator; installs write absolute paths where asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installKernelSpec, kernelSpecJson } from "../../src/notebook/kernelspec.js";
import { builtKernelMain, packageRoot } from "../../src/notebook/paths.js";

test("the committed .jupyter/kernels/wattlab/kernel.json is what writeKernelSpec generates", () => {
  const dir = join(packageRoot(), ".jupyter", "kernels", "wattlab");
  const committed = readFileSync(join(dir, "kernel.json"), "utf8");
  assert.equal(committed, kernelSpecJson(dir, { portable: true }), "regenerate it with writeKernelSpec(dir, { portable: true })");
  assert.deepEqual(JSON.parse(committed).argv.slice(-3), ["{resource_dir}/../../../dist/src/notebook/kernel-main.js", "--config-path", "{connection_file}"]);
});

test("installKernelSpec under a prefix writes this Node and this checkout's launcher", async () => {
  const prefix = mkdtempSync(join(tmpdir(), "wattlab-prefix-"));
  try {
    const dir = await installKernelSpec({ prefix });
    assert.equal(dir, join(prefix, "share", "jupyter", "kernels", "wattlab"));
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    assert.deepEqual(spec.argv, [process.execPath, "--disable-warning=ExperimentalWarning", builtKernelMain(), "--config-path", "{connection_file}"]);
    assert.equal(spec.interrupt_mode, "signal");
    assert.equal(spec.language, "typescript");
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test("a user install goes to $JUPYTER_DATA_DIR/kernels when it is set", async () => {
  const data = mkdtempSync(join(tmpdir(), "wattlab-jupyter-data-"));
  const saved = process.env.JUPYTER_DATA_DIR;
  process.env.JUPYTER_DATA_DIR = data;
  try {
    assert.equal(await installKernelSpec({ user: true }), join(data, "kernels", "wattlab"));
  } finally {
    if (saved === undefined) delete process.env.JUPYTER_DATA_DIR;
    else process.env.JUPYTER_DATA_DIR = saved;
    rmSync(data, { recursive: true, force: true });
  }
});
