// The only module that imports koffi: binds libnvidia-ml's C functions; every return code goes through checkNvml.
import koffi, { type LibraryHandle } from "koffi";
import { checkNvml, NvmlLoadError } from "./errors.js";

/** An nvmlDevice_t: an opaque pointer, a BigInt under koffi 3. */
export type NvmlDeviceHandle = bigint & { readonly __brand: "nvmlDevice_t" };

export interface NvmlMemoryBytes {
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
}

/** nvmlClockType_t. */
const CLOCK_TYPES = { graphics: 0, sm: 1, memory: 2, video: 3 } as const;
export type NvmlClockType = keyof typeof CLOCK_TYPES;

export const DEFAULT_NVML_LIBRARY = "libnvidia-ml.so.1";

const device = koffi.pointer(koffi.opaque());

function bind(lib: LibraryHandle) {
  return {
    init: lib.func("nvmlInit_v2", "int", []),
    shutdown: lib.func("nvmlShutdown", "int", []),
    errorString: lib.func("nvmlErrorString", "str", ["int"]),
    driverVersion: lib.func("nvmlSystemGetDriverVersion", "int", ["uint8_t *", "uint"]),
    count: lib.func("nvmlDeviceGetCount_v2", "int", ["uint32_t *"]),
    handle: lib.func("nvmlDeviceGetHandleByIndex_v2", "int", ["uint", koffi.out(koffi.pointer(device))]),
    name: lib.func("nvmlDeviceGetName", "int", [device, "uint8_t *", "uint"]),
    uuid: lib.func("nvmlDeviceGetUUID", "int", [device, "uint8_t *", "uint"]),
    // unsigned long long *energy, in mJ since the driver loaded.
    energy: lib.func("nvmlDeviceGetTotalEnergyConsumption", "int", [device, "uint64_t *"]),
    power: lib.func("nvmlDeviceGetPowerUsage", "int", [device, "uint32_t *"]),
    // nvmlMemory_t is { unsigned long long total, free, used }: laid out exactly like uint64_t[3].
    memory: lib.func("nvmlDeviceGetMemoryInfo", "int", [device, "uint64_t *"]),
    powerLimit: lib.func("nvmlDeviceGetEnforcedPowerLimit", "int", [device, "uint32_t *"]),
    clock: lib.func("nvmlDeviceGetClockInfo", "int", [device, "int", "uint32_t *"]),
    // nvmlTemperatureSensors_t: 0 = NVML_TEMPERATURE_GPU (the die)
    temperature: lib.func("nvmlDeviceGetTemperature", "int", [device, "int", "uint32_t *"]),
  };
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString("utf8", 0, end < 0 ? buffer.length : end);
}

/** A loaded libnvidia-ml. Not initialised until `init()`. Methods throw NvmlError (see errors.ts). */
export class NvmlLibrary {
  private readonly fn: ReturnType<typeof bind>;
  // Reused out-parameters: calls are synchronous, one thread owns the library.
  private readonly u32 = new Uint32Array(1);
  private readonly u64 = new BigUint64Array(3);

  private constructor(
    private readonly lib: LibraryHandle,
    readonly path: string,
  ) {
    try {
      this.fn = bind(lib);
    } catch (error) {
      lib.unload();
      throw new NvmlLoadError(path, (error as Error).message);
    }
  }

  /** Opens the library at `path` (default libnvidia-ml.so.1 through the dynamic loader's search path). */
  static load(path: string = DEFAULT_NVML_LIBRARY): NvmlLibrary {
    let lib: LibraryHandle;
    try {
      lib = koffi.load(path);
    } catch (error) {
      throw new NvmlLoadError(path, (error as Error).message.split("\n")[0]);
    }
    return new NvmlLibrary(lib, path);
  }

  private check(call: string, code: number): void {
    checkNvml(call, code, (c) => this.fn.errorString(c) as string);
  }

  init(): void {
    this.check("nvmlInit_v2", this.fn.init());
  }

  shutdown(): void {
    this.check("nvmlShutdown", this.fn.shutdown());
  }

  /** Closes the shared object; call after shutdown. */
  unload(): void {
    this.lib.unload();
  }

  errorString(code: number): string {
    return this.fn.errorString(code) as string;
  }

  driverVersion(): string {
    const buffer = Buffer.alloc(96);
    this.check("nvmlSystemGetDriverVersion", this.fn.driverVersion(buffer, buffer.length));
    return cString(buffer);
  }

  deviceCount(): number {
    this.check("nvmlDeviceGetCount_v2", this.fn.count(this.u32));
    return this.u32[0];
  }

  handle(index: number): NvmlDeviceHandle {
    const out: unknown[] = [null];
    this.check(`nvmlDeviceGetHandleByIndex_v2(${index})`, this.fn.handle(index, out));
    return out[0] as NvmlDeviceHandle;
  }

  name(handle: NvmlDeviceHandle): string {
    const buffer = Buffer.alloc(96);
    this.check("nvmlDeviceGetName", this.fn.name(handle, buffer, buffer.length));
    return cString(buffer);
  }

  uuid(handle: NvmlDeviceHandle): string {
    const buffer = Buffer.alloc(96);
    this.check("nvmlDeviceGetUUID", this.fn.uuid(handle, buffer, buffer.length));
    return cString(buffer);
  }

  /** Energy since the driver loaded. Units: mJ. Volta and newer; NOT_SUPPORTED before. */
  totalEnergyMj(handle: NvmlDeviceHandle): number {
    this.check("nvmlDeviceGetTotalEnergyConsumption", this.fn.energy(handle, this.u64));
    return Number(this.u64[0]);
  }

  /** Board power. Units: mW. */
  powerMw(handle: NvmlDeviceHandle): number {
    this.check("nvmlDeviceGetPowerUsage", this.fn.power(handle, this.u32));
    return this.u32[0];
  }

  memory(handle: NvmlDeviceHandle): NvmlMemoryBytes {
    this.check("nvmlDeviceGetMemoryInfo", this.fn.memory(handle, this.u64));
    return { totalBytes: Number(this.u64[0]), freeBytes: Number(this.u64[1]), usedBytes: Number(this.u64[2]) };
  }

  /** Units: mW. */
  enforcedPowerLimitMw(handle: NvmlDeviceHandle): number {
    this.check("nvmlDeviceGetEnforcedPowerLimit", this.fn.powerLimit(handle, this.u32));
    return this.u32[0];
  }

  /** GPU die temperature. Units: °C. */
  temperatureC(handle: NvmlDeviceHandle): number {
    this.check("nvmlDeviceGetTemperature", this.fn.temperature(handle, 0, this.u32));
    return this.u32[0];
  }

  /** Current clock. Units: MHz. */
  clockMhz(handle: NvmlDeviceHandle, type: NvmlClockType): number {
    this.check(`nvmlDeviceGetClockInfo(${type})`, this.fn.clock(handle, CLOCK_TYPES[type], this.u32));
    return this.u32[0];
  }
}
