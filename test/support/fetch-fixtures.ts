// `npm run fixtures`: finds every third-party test fixture, downloading the missing ones into the user cache, and
// prints per file where it was found, that it was downloaded, or why not; exits 1 where a download failed.
// `--if-online` (run by `npm test` before the tests): quiet when nothing is missing, gives up after one short
// probe when the network does not answer, never fails the run.
import { fetchFixtures, type FixtureStatus } from "./fixture-download.js";
import { fixtureCacheDir, fixtureRoots } from "./shared.js";

function line(status: FixtureStatus): string {
  switch (status.state) {
    case "found": return `found       ${status.path} (${status.where})`;
    case "stand-in": return `stand-in    ${status.path}: not public; the tests use ${status.standIn} (${status.where})`;
    case "downloaded": return `downloaded  ${status.path} → ${status.file}`;
    case "failed": return `failed      ${status.why.startsWith(status.path) ? status.why : `${status.path}: ${status.why}`}`;
    case "unavailable": return `no source   ${status.path}: ${status.why}`;
  }
}

async function main(args: string[]): Promise<number> {
  const ifOnline = args.includes("--if-online");
  const unknown = args.filter((a) => a !== "--if-online");
  if (unknown.length > 0) {
    console.error(`fetch-fixtures: unknown argument ${unknown.join(" ")}; usage: fetch-fixtures [--if-online]`);
    return 2;
  }
  if (!ifOnline) console.log(`fixtures: looking in ${fixtureRoots().map((r) => `${r.where} (${r.dir})`).join(", ")}`);
  const { statuses, offline } = await fetchFixtures({ ifOnline });
  const failed = statuses.filter((s) => s.state === "failed");
  const unavailable = statuses.filter((s) => s.state === "unavailable");
  if (ifOnline) {
    for (const s of statuses) if (s.state === "downloaded") console.log(`fixtures: ${line(s)}`);
    if (offline && failed.length > 0) console.log(`fixtures: ${failed.length} missing, not downloaded (${offline})`);
    else for (const s of failed) console.log(`fixtures: ${line(s)}`);
    return 0;
  }
  for (const s of statuses) console.log(line(s));
  const count = (state: FixtureStatus["state"]) => statuses.filter((s) => s.state === state).length;
  console.log(`fixtures: ${count("found")} found, ${count("downloaded")} downloaded, ${failed.length} failed, ` +
    `${unavailable.length} without a public download${count("stand-in") ? `, ${count("stand-in")} replaced by public stand-ins` : ""} ` +
    `(cache: ${fixtureCacheDir()})`);
  if (unavailable.length > 0) {
    console.log("fixtures: the tests that need a file without a public download skip unless it is found; " +
      "set WATTLAB_SHARED to a folder laid out like shared/ that has it, or place it under the cache");
  }
  return failed.length > 0 ? 1 : 0;
}

// node --test runs every .js under dist/test/ as a test file, this one included: do nothing there.
if (!process.env.NODE_TEST_CONTEXT) {
  process.exitCode = await main(process.argv.slice(2));
  // before a test run, never wait on a lookup the probe already gave up on
  if (process.argv.includes("--if-online")) process.exit();
}
