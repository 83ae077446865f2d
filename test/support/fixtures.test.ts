// The fixture manifest names every file the tests and benches look up, pins each public one by URL and digest,
// and (where a shared/ folder is here) gives the very bytes of that folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, fixturesAt } from "./fixtures.js";
import { repoRoot, sharedDir } from "./shared.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : e.name.endsWith(".ts") ? [path] : [];
  });
}

test("every sharedPath() of the tests and benches is in the manifest", () => {
  const looked = new Set<string>();
  for (const file of [...sourceFiles(join(repoRoot, "test")), ...sourceFiles(join(repoRoot, "bench"))]) {
    for (const m of readFileSync(file, "utf8").matchAll(/sharedPath\(\s*"([^"]+)"/g)) looked.add(m[1]);
  }
  assert.ok(looked.size > 5, `found the lookups (${looked.size})`);
  for (const path of looked) assert.ok(fixturesAt(path).length > 0, `${path} is not in test/support/fixtures.ts`);
});

test("each entry is either pinned (URL at a commit or revision, with a digest) or marked derived with how it was made", () => {
  const paths = new Set<string>();
  for (const f of FIXTURES) {
    assert.ok(!paths.has(f.path), `${f.path} listed twice`);
    paths.add(f.path);
    if (f.evidence === "derived") {
      assert.equal(f.url, undefined, `${f.path}: a derived file has no URL`);
      assert.ok(f.derivation && f.sha256, `${f.path}: a derived file says how it was made and pins our bytes`);
    } else {
      assert.match(f.url ?? "", /^https:\/\/.+\/[0-9a-f]{40}\//, `${f.path}: the URL names a full commit or revision`);
      assert.ok(f.sha256 || f.gitBlobSha1, `${f.path}: a digest`);
    }
    if (f.sha256) assert.match(f.sha256, /^[0-9a-f]{64}$/);
    if (f.standsInFor) assert.equal(FIXTURES.find((g) => g.path === f.standsInFor)?.evidence, "derived", `${f.path} stands in for a derived file`);
  }
});

const shared = sharedDir();
test("the manifest's sizes and sha256 are those of the shared/ folder's files", { skip: shared ? false : "fixture missing: no shared/ folder to compare with" }, () => {
  let compared = 0;
  for (const f of FIXTURES) {
    const file = join(shared!, f.path);
    if (!existsSync(file) || !f.sha256) continue;
    assert.equal(statSync(file).size, f.size, `${f.path}: size`);
    assert.equal(createHash("sha256").update(readFileSync(file)).digest("hex"), f.sha256, `${f.path}: sha256`);
    compared++;
  }
  assert.ok(compared > 0, "some fixtures compared");
});
