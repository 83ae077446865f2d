// What the kernel reports for each kind of failure tslab leaves undescribed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeFailure } from "../../src/notebook/kernel-errors.js";

test("TypeScript diagnostics become a TSError naming the first and counting the rest", () => {
  const error = describeFailure({ diagnostics: ["1:7 - Type 'string' is not assignable to type 'number'.", "2:1 - Cannot find name 'x'."], interrupted: false });
  assert.equal(error.ename, "TSError");
  assert.equal(error.evalue, "1:7 - Type 'string' is not assignable to type 'number'. (and 1 more)");
  assert.equal(error.traceback.length, 3);
});

test("custom error classes keep their name; thrown non-errors and interrupts are described", () => {
  class BudgetError extends Error {
    override name = "BudgetError";
  }
  assert.equal(describeFailure({ thrown: { value: new BudgetError("over 5 J") }, diagnostics: [], interrupted: false }).ename, "BudgetError");
  assert.match(describeFailure({ thrown: { value: 42 }, diagnostics: [], interrupted: false }).evalue, /non-Error value was thrown: 42/);
  const interrupted = describeFailure({ thrown: { value: new Error("Script execution interrupted.") }, diagnostics: [], interrupted: false });
  assert.equal(interrupted.ename, "Interrupted");
});
