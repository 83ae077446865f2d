// wattlab's dispatcher: a command module that fails to load (a missing native package, a stale build) is one line
// naming the command, the cause and the fix, never a raw stack. The failure is real: a module hook started with the
// CLI's own process points the command's import at a module whose dependency is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../src/version.js";

test("a command module that fails to load is one line naming the command, the cause and the fix", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-cli-load-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "info.mjs"), 'import "wattlab-missing-native-package";\nexport const infoCommand = {};\n');
  writeFileSync(join(dir, "hooks.mjs"), `export async function resolve(specifier, context, next) {
  if (specifier === "./commands/info.js") return { url: ${JSON.stringify(pathToFileURL(join(dir, "info.mjs")).href)}, shortCircuit: true };
  return next(specifier, context);
}\n`);
  writeFileSync(join(dir, "register.mjs"), 'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n');
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, join(packageRoot(), "bin", "wattlab.js"), "info"],
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, WATTLAB_DEBUG: "", ...env } });
  const r = run({});
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, no stack:\n${r.stderr}`);
  assert.match(lines[0], /^wattlab info: the command could not be loaded \(ERR_MODULE_NOT_FOUND: Cannot find package 'wattlab-missing-native-package'/);
  assert.match(lines[0], /npm ci.*npm run build.*WATTLAB_DEBUG=1/);
  assert.match(run({ WATTLAB_DEBUG: "1" }).stderr, /\n\s+at /, "WATTLAB_DEBUG=1 adds the stack");
});
