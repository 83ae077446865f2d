// NVML return codes become typed errors that say what to do; a meter degrades to "no GPU" and says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter, NvmlError, NvmlLoadError } from "../../src/meter/index.js";
import { checkNvml } from "../../src/meter/nvml/errors.js";
import { NvmlLibrary } from "../../src/meter/nvml/library.js";
import { requireFake, skipWithoutFake } from "./fake-nvml.js";

const skip = skipWithoutFake();

test("checkNvml names the call, the symbol, the code, NVML's own string and the fix", () => {
  assert.doesNotThrow(() => checkNvml("nvmlInit_v2", 0));
  const cases: [number, RegExp][] = [
    [1, /NVML_ERROR_UNINITIALIZED \(1, .*wattlab bug/],
    [2, /NVML_ERROR_INVALID_ARGUMENT \(2, .*CUDA_VISIBLE_DEVICES/],
    [3, /NVML_ERROR_NOT_SUPPORTED \(3, .*falls back/],
    [4, /NVML_ERROR_NO_PERMISSION \(4, .*run with access/],
    [15, /NVML_ERROR_GPU_IS_LOST \(15, .*reset the GPU or reboot/],
    [12345, /NVML return code 12345 \(12345, .*unknown to wattlab/],
  ];
  for (const [code, pattern] of cases) {
    assert.throws(
      () => checkNvml("nvmlDeviceGetPowerUsage", code, () => "from nvmlErrorString"),
      (error: unknown) => error instanceof NvmlError && error.code === code && error.call === "nvmlDeviceGetPowerUsage" && pattern.test(error.message) && /from nvmlErrorString/.test(error.message),
    );
  }
});

test("a missing library is an NvmlLoadError pointing at WATTLAB_NVML_LIB", () => {
  assert.throws(() => NvmlLibrary.load("/nonexistent/libnvidia-ml.so.1"), (error: unknown) => error instanceof NvmlLoadError && /WATTLAB_NVML_LIB/.test(error.message));
});

test("calls through the real library: UNINITIALIZED before init, INVALID_ARGUMENT for a bad index, DRIVER_NOT_LOADED at init", { skip }, () => {
  const fake = requireFake();
  fake.configure({ count: 1 });
  const nvml = NvmlLibrary.load(fake.libraryPath);
  try {
    assert.throws(() => nvml.deviceCount(), (error: unknown) => error instanceof NvmlError && error.symbol === "NVML_ERROR_UNINITIALIZED" && /"Uninitialized"/.test(error.message));
    nvml.init();
    assert.equal(nvml.deviceCount(), 1);
    assert.throws(() => nvml.handle(5), (error: unknown) => error instanceof NvmlError && error.code === 2 && /nvmlDeviceGetHandleByIndex_v2\(5\)/.test(error.message));
    const handle = nvml.handle(0);
    assert.equal(nvml.clockMhz(handle, "memory"), 3201);
    assert.match(nvml.uuid(handle), /^GPU-fa4e/);
    nvml.shutdown();
    fake.configure({ init_rc: 9 });
    assert.throws(() => nvml.init(), (error: unknown) => error instanceof NvmlError && error.symbol === "NVML_ERROR_DRIVER_NOT_LOADED" && /install or load it/.test(error.message));
  } finally {
    nvml.unload();
  }
});

test("NVML failing at init: a default meter has no GPUs and says why; an explicit gpus list rejects", { skip }, async () => {
  const fake = requireFake();
  fake.configure({ init_rc: 9 });
  const savedPath = process.env.PATH;
  process.env.PATH = "/nonexistent"; // no nvidia-smi to fall back to
  try {
    const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none" });
    const { gpu, channels } = meter.describe();
    await meter.begin("w");
    const window = await meter.end("w");
    await meter.close();
    assert.equal(gpu.source, "none");
    assert.deepEqual(channels, []);
    assert.match(gpu.reason ?? "", /NVML: nvmlInit_v2 failed: NVML_ERROR_DRIVER_NOT_LOADED .*; nvidia-smi: nvidia-smi not found/);
    assert.equal(window.sources.gpu, "none");
    assert.equal(window.totalEnergyJ, 0);
    await assert.rejects(Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", gpus: [0] }), /cannot meter GPUs 0: NVML: .*DRIVER_NOT_LOADED/);
  } finally {
    process.env.PATH = savedPath;
  }
});
