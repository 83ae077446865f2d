// CUDA_VISIBLE_DEVICES decides which GPUs a run counts; the gpus option overrides it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter } from "../../src/meter/index.js";
import { parseCudaVisibleDevices, selectVisible } from "../../src/meter/nvml/visible.js";
import { requireFake, skipWithoutFake } from "./fake-nvml.js";

const uuids = ["GPU-aaaa-0", "GPU-bbbb-1", "GPU-abcd-2", "GPU-cccc-3"];
const select = (value: string | undefined) => selectVisible(parseCudaVisibleDevices(value), 4, (i) => uuids[i]);

test("CUDA_VISIBLE_DEVICES parsing follows CUDA: unset = all, empty = none, stops at the first invalid entry", () => {
  assert.deepEqual(select(undefined).indices, [0, 1, 2, 3]);
  assert.deepEqual(select("").indices, []);
  assert.deepEqual(select("-1").indices, []);
  assert.deepEqual(select("2, 0").indices, [2, 0]);
  assert.deepEqual(select("1,x,2").indices, [1]);
  const outOfRange = select("1,7,2");
  assert.deepEqual(outOfRange.indices, [1]);
  assert.match(outOfRange.notes[0], /entry 7 is not below the GPU count 4/);
  assert.deepEqual(select("0,0,1").indices, [0, 1]);
});

test("UUID entries (and unique prefixes) map to NVML indices; ambiguous prefixes and MIG ids stop the list", () => {
  assert.deepEqual(select("GPU-cccc-3,GPU-bbbb").indices, [3, 1]);
  const ambiguous = select("GPU-a");
  assert.deepEqual(ambiguous.indices, []);
  assert.match(ambiguous.notes[0], /matches 2 GPUs/);
  const mig = select("MIG-1234,0");
  assert.deepEqual(mig.indices, []);
  assert.match(mig.notes[0], /MIG instance/);
});

const skip = skipWithoutFake();

async function channelsWith(env: string | undefined, gpus?: number[]): Promise<string[]> {
  const fake = requireFake();
  fake.configure({ count: 4 });
  const saved = process.env.CUDA_VISIBLE_DEVICES;
  if (env === undefined) delete process.env.CUDA_VISIBLE_DEVICES;
  else process.env.CUDA_VISIBLE_DEVICES = env;
  try {
    const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", gpus });
    const channels = meter.describe().channels;
    await meter.close();
    return channels;
  } finally {
    if (saved === undefined) delete process.env.CUDA_VISIBLE_DEVICES;
    else process.env.CUDA_VISIBLE_DEVICES = saved;
  }
}

test("a meter counts only the GPUs CUDA_VISIBLE_DEVICES lets the run use (indices and UUIDs via nvmlDeviceGetUUID)", { skip }, async () => {
  assert.deepEqual(await channelsWith(undefined), ["gpu0", "gpu1", "gpu2", "gpu3"]);
  assert.deepEqual(await channelsWith("2,0"), ["gpu2", "gpu0"]);
  assert.deepEqual(await channelsWith("GPU-fa4e0000-0000-0000-0000-000000000003"), ["gpu3"]);
  assert.deepEqual(await channelsWith(""), []);
});

test("an explicit gpus list ignores CUDA_VISIBLE_DEVICES; an index NVML does not have is an error naming it", { skip }, async () => {
  assert.deepEqual(await channelsWith("0", [1, 3]), ["gpu1", "gpu3"]);
  await assert.rejects(channelsWith(undefined, [1, 9]), /gpus option lists 9, but NVML sees 4 GPU\(s\)/);
});
