// Every NVML return code becomes one typed error here, with a message telling what to do (Zeus's decorator, in one table).

/** NVML return codes (nvml.h `nvmlReturn_t`) with the advice wattlab gives for each. */
const NVML_CODES: Record<number, { symbol: string; advice: string }> = {
  1: { symbol: "NVML_ERROR_UNINITIALIZED", advice: "NVML was used before nvmlInit or after nvmlShutdown: a wattlab bug, please report it" },
  2: { symbol: "NVML_ERROR_INVALID_ARGUMENT", advice: "a device index or argument is out of range: check the `gpus` option and CUDA_VISIBLE_DEVICES against `nvidia-smi -L`" },
  3: { symbol: "NVML_ERROR_NOT_SUPPORTED", advice: "this GPU or driver does not offer the reading; wattlab falls back where it can (energy counter → integrated power samples)" },
  4: { symbol: "NVML_ERROR_NO_PERMISSION", advice: "the process may not query this GPU: run with access to the device (root, or the container's GPU device nodes)" },
  5: { symbol: "NVML_ERROR_ALREADY_INITIALIZED", advice: "NVML was initialised twice; harmless on current drivers" },
  6: { symbol: "NVML_ERROR_NOT_FOUND", advice: "the GPU was not found: check `nvidia-smi -L` and the `gpus` option" },
  7: { symbol: "NVML_ERROR_INSUFFICIENT_SIZE", advice: "a buffer was too small: a wattlab bug, please report it" },
  8: { symbol: "NVML_ERROR_INSUFFICIENT_POWER", advice: "a GPU power cable is not attached properly: check the hardware" },
  9: { symbol: "NVML_ERROR_DRIVER_NOT_LOADED", advice: "the NVIDIA kernel driver is not loaded: install or load it (`nvidia-smi` should work first)" },
  10: { symbol: "NVML_ERROR_TIMEOUT", advice: "the GPU did not answer in time: retry; if it persists check `nvidia-smi` and dmesg" },
  11: { symbol: "NVML_ERROR_IRQ_ISSUE", advice: "the kernel saw an interrupt problem with the GPU: check dmesg" },
  12: { symbol: "NVML_ERROR_LIBRARY_NOT_FOUND", advice: "NVML could not find a library it needs: reinstall the NVIDIA driver" },
  13: { symbol: "NVML_ERROR_FUNCTION_NOT_FOUND", advice: "the installed driver is too old for this call: upgrade the NVIDIA driver" },
  14: { symbol: "NVML_ERROR_CORRUPTED_INFOROM", advice: "the GPU's infoROM is corrupted: contact the hardware vendor" },
  15: { symbol: "NVML_ERROR_GPU_IS_LOST", advice: "the GPU fell off the bus or stopped answering: check dmesg, then reset the GPU or reboot" },
  16: { symbol: "NVML_ERROR_RESET_REQUIRED", advice: "the GPU needs a reset or reboot before it can be used" },
  17: { symbol: "NVML_ERROR_OPERATING_SYSTEM", advice: "the operating system blocked the call: check permissions and dmesg" },
  18: { symbol: "NVML_ERROR_LIB_RM_VERSION_MISMATCH", advice: "libnvidia-ml and the kernel driver differ in version: reboot, or reload the nvidia kernel module" },
  19: { symbol: "NVML_ERROR_IN_USE", advice: "the GPU is busy with an exclusive operation: retry later" },
  20: { symbol: "NVML_ERROR_MEMORY", advice: "NVML ran out of host memory" },
  21: { symbol: "NVML_ERROR_NO_DATA", advice: "the GPU has no data for this reading yet: retry after a short wait" },
  22: { symbol: "NVML_ERROR_VGPU_ECC_NOT_ENABLED", advice: "ECC is off for this vGPU" },
  23: { symbol: "NVML_ERROR_INSUFFICIENT_RESOURCES", advice: "the GPU lacks resources for this call" },
  24: { symbol: "NVML_ERROR_FREQ_NOT_SUPPORTED", advice: "the requested clock is not supported" },
  25: { symbol: "NVML_ERROR_ARGUMENT_VERSION_MISMATCH", advice: "a struct version does not match the driver: upgrade the NVIDIA driver" },
  26: { symbol: "NVML_ERROR_DEPRECATED", advice: "the driver no longer offers this call" },
  27: { symbol: "NVML_ERROR_NOT_READY", advice: "the GPU is not ready yet: retry after a short wait" },
  28: { symbol: "NVML_ERROR_GPU_NOT_FOUND", advice: "no GPU found: check `nvidia-smi -L`" },
  29: { symbol: "NVML_ERROR_INVALID_STATE", advice: "the GPU is in a state that does not allow this call" },
  999: { symbol: "NVML_ERROR_UNKNOWN", advice: "NVML failed without saying why: check `nvidia-smi` and dmesg" },
};

export const NVML_SUCCESS = 0;
export const NVML_ERROR_NOT_SUPPORTED = 3;

/** A failed NVML call: `code` is the raw nvmlReturn_t, `symbol` its name in nvml.h, `call` the function. */
export class NvmlError extends Error {
  override readonly name = "NvmlError";
  constructor(
    readonly call: string,
    readonly code: number,
    readonly symbol: string,
    detail: string,
  ) {
    super(detail);
  }
  get notSupported(): boolean {
    return this.code === NVML_ERROR_NOT_SUPPORTED;
  }
}

/** libnvidia-ml could not be opened or lacks a symbol; carries what to do. */
export class NvmlLoadError extends Error {
  override readonly name = "NvmlLoadError";
  constructor(readonly libraryPath: string, cause: string) {
    super(
      `could not load NVML from "${libraryPath}" (${cause}): install the NVIDIA driver, ` +
        `or point WATTLAB_NVML_LIB (or the nvmlLibraryPath option) at libnvidia-ml.so.1`,
    );
  }
}

/**
 * The one place return codes are translated: returns on success, else throws an NvmlError naming the call,
 * the code and the fix. `describe` is nvmlErrorString when the library is loaded.
 */
export function checkNvml(call: string, code: number, describe?: (code: number) => string): void {
  if (code === NVML_SUCCESS) return;
  const known = NVML_CODES[code] ?? { symbol: `NVML return code ${code}`, advice: "unknown to wattlab: check `nvidia-smi` and the driver version" };
  let text = "";
  try {
    text = describe?.(code) ?? "";
  } catch {
    // nvmlErrorString itself failing must not hide the original error.
  }
  throw new NvmlError(call, code, known.symbol, `${call} failed: ${known.symbol} (${code}${text ? `, "${text}"` : ""}): ${known.advice}`);
}
