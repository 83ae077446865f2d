// Minimal valid rows for store tests.
import { RECORD_COLUMNS, type RunRecord, type RunState } from "../../../src/sweep/record.js";

export function row(key: string, state: RunState = "completed", extra: Partial<Record<string, unknown>> = {}): RunRecord {
  const r = Object.fromEntries(RECORD_COLUMNS.map((c) => [c, null])) as unknown as RunRecord;
  return Object.assign(r, { key, state, ...extra }) as RunRecord;
}
