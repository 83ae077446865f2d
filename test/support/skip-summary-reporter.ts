// A node:test reporter that adds one line at the end of a run where tests skipped for missing fixtures: how many,
// and how to get the fixtures. Used next to the spec reporter by `npm test`.
import { FIXTURE_SKIP_PREFIX } from "./shared.js";

interface TestEvent { type: string; data?: { skip?: string | boolean } }

/** The summary line for `count` fixture skips, or "" for none. */
export function skipSummary(count: number): string {
  if (count === 0) return "";
  return `ℹ ${count} test${count === 1 ? "" : "s"} skipped because fixtures are missing: get them with \`npm run fixtures\` ` +
    "(online; they go to ~/.cache/wattlab/fixtures or $WATTLAB_CACHE/fixtures) or set WATTLAB_SHARED=/path/to/shared\n";
}

export default async function* skipSummaryReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let count = 0;
  for await (const event of source) {
    // Node 20 reports a skipped test as test:pass with data.skip set to the reason
    if ((event.type === "test:pass" || event.type === "test:skip") && typeof event.data?.skip === "string" && event.data.skip.startsWith(FIXTURE_SKIP_PREFIX)) count++;
  }
  const summary = skipSummary(count);
  if (summary) yield summary;
}
