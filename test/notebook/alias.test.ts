// The alias makes a package name resolve from any notebook folder, in tslab's type check and in Node's require.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aliasPackage } from "../../src/notebook/alias.js";
import { requireFromTslab } from "../../src/notebook/paths.js";

/** A tiny ESM package with "exports" and types, like wattlab's own layout, in its own temp folder. */
function writeFixturePackage(root: string): void {
  mkdirSync(join(root, "dist"), { recursive: true });
  const manifest = {
    name: "aliasfixture",
    type: "module",
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    types: "dist/index.d.ts",
  };
  writeFileSync(join(root, "package.json"), JSON.stringify(manifest));
  writeFileSync(join(root, "dist", "index.js"), "export function greet(name) { return `hello ${name}`; }\n");
  writeFileSync(join(root, "dist", "index.d.ts"), "export declare function greet(name: string): string;\n");
}

test("an aliased package resolves in tslab's type check and at run time from an unrelated folder", () => {
  const scratch = mkdtempSync(join(tmpdir(), "wattlab-alias-"));
  try {
    const packageDir = join(scratch, "pkg");
    const notebookDir = join(scratch, "notebooks");
    writeFixturePackage(packageDir);
    mkdirSync(notebookDir);
    aliasPackage("aliasfixture", packageDir);

    const cwd = process.cwd();
    process.chdir(notebookDir); // tslab's converter roots module resolution at the process cwd
    const { createConverter } = requireFromTslab()("./dist/converter.js");
    const converter = createConverter({ isJS: false, isBrowser: false });
    try {
      const good = converter.convert("", 'import { greet } from "aliasfixture";\nconst s: string = greet("x");\n');
      assert.deepEqual(good.diagnostics, []);
      const bad = converter.convert("", 'import { greet } from "aliasfixture";\nconst n: number = greet("x");\n');
      assert.match(bad.diagnostics.map((d: { messageText: string }) => d.messageText).join("\n"), /not assignable to type 'number'/);
    } finally {
      converter.close();
      process.chdir(cwd);
    }

    const requireInNotebook = requireFromTslab()("./dist/executor.js").createRequire(notebookDir);
    assert.equal(requireInNotebook("aliasfixture").greet("kernel"), "hello kernel");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("an aliased package whose entry file is missing fails with the build command in the message", () => {
  const scratch = mkdtempSync(join(tmpdir(), "wattlab-alias-"));
  try {
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "unbuiltfixture", exports: { ".": "./dist/index.js" } }));
    aliasPackage("unbuiltfixture", scratch);
    const requireAnywhere = requireFromTslab()("./dist/executor.js").createRequire(tmpdir());
    assert.throws(() => requireAnywhere("unbuiltfixture"), /Build it first: cd .* && npm run build/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
