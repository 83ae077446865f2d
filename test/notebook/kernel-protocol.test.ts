// wattlab's kernel speaks the parts of the protocol tslab leaves out: one kernel, several requests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { KernelClient } from "../../src/notebook/client.js";

let kernel: KernelClient;
before(async () => {
  kernel = await KernelClient.start({ cwd: tmpdir() });
});
after(async () => {
  await kernel?.shutdown();
});

test("kernel_info reports TypeScript's real version", () => {
  const info = kernel.kernelInfo as { protocol_version: string; language_info: { name: string; version: string } };
  assert.equal(info.language_info.name, "typescript");
  assert.match(info.language_info.version, /^5\.\d+\.\d+$/);
});

test("execute_input and execute_result carry the execution count; variables from earlier cells work in shorthand", async () => {
  const defined = await kernel.execute("const energyJ = 12.5;", 60);
  assert.equal(defined.state, "ok");
  const shown = await kernel.execute("({ energyJ })", 60);
  const count = (shown.reply!.content as { execution_count: number }).execution_count;
  assert.deepEqual(
    shown.messages.map((m) => [m.header.msg_type, (m.content as { execution_count?: number }).execution_count]),
    [["execute_input", count], ["execute_result", count]],
  );
  assert.deepEqual((shown.messages[1]!.content as { data: object }).data, { "text/plain": "{ energyJ: 12.5 }" });
});

test("after a failure, a request already queued behind it is aborted", async () => {
  const failing = kernel.request("shell", "execute_request", { code: 'throw new TypeError("first")', silent: false, stop_on_error: true });
  const queued = kernel.request("shell", "execute_request", { code: 'console.log("second")', silent: false, stop_on_error: true });
  const [failed, aborted] = await Promise.all([failing.reply, queued.reply]);
  assert.deepEqual([failed.content.status, failed.content.ename, failed.content.evalue], ["error", "TypeError", "first"]);
  assert.equal(aborted.content.status, "aborted");
});
