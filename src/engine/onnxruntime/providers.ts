// Execution-provider options and the translation of their load failures into errors that say the fix.
// No import of onnxruntime-node here: the binaries are checked as files.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ExecutionProvider } from "../types.js";

const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ["cpu", "webgpu", "cuda"];

export function assertExecutionProvider(device: string): asserts device is ExecutionProvider {
  if (!(EXECUTION_PROVIDERS as readonly string[]).includes(device)) {
    throw new Error(`Unsupported device "${device}". Should be one of: ${EXECUTION_PROVIDERS.join(", ")}`);
  }
}

/** The prefix of the WebGPU EP's option keys in onnxruntime's session config. */
export const WEBGPU_OPTION_PREFIX = "ep.webgpuexecutionprovider.";
/**
 * The WebGPU EP options onnxruntime-node 1.30 takes, and only on the provider object: measured on an H200
 * (results/h200-2026-11/provenance/ort-config-check.mjs), session config entries under WEBGPU_OPTION_PREFIX never reach the EP (bogus
 * values open a session), and the provider object refuses maxNumPendingDispatches and enableGraphCapture as unrecognized.
 */
const WEBGPU_PROVIDER_OPTIONS = ["validationMode"] as const;

/**
 * Splits session config entries into what goes on the WebGPU provider object (its options, moved there because the
 * EP reads them only from there) and the rest (the binding's `extra`). Other WebGPU EP keys throw, naming the key.
 */
export function splitWebGpuOptions(sessionConfig: Readonly<Record<string, string>> = {}): { provider: Record<string, string>; extra: Record<string, string> } {
  const provider: Record<string, string> = {}, extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(sessionConfig)) {
    if (!key.startsWith(WEBGPU_OPTION_PREFIX)) { extra[key] = value; continue; }
    const option = key.slice(WEBGPU_OPTION_PREFIX.length);
    if (!(WEBGPU_PROVIDER_OPTIONS as readonly string[]).includes(option)) {
      throw new Error(`session config ${key}: onnxruntime-node 1.30 does not pass this WebGPU EP option on (as a session config entry it is ignored, ` +
        `and the provider object refuses it); the one it takes is ${WEBGPU_PROVIDER_OPTIONS.map((o) => WEBGPU_OPTION_PREFIX + o).join(", ")}`);
    }
    provider[option] = value;
  }
  return { provider, extra };
}

/**
 * The onnxruntime-node executionProviders entry for a device; CPU is the implicit fallback for unsupported nodes.
 * `sessionConfig`: the session's config entries; WebGPU EP options among them (splitWebGpuOptions) replace wattlab's.
 */
export function executionProviderConfig(device: ExecutionProvider, sessionConfig: Readonly<Record<string, string>> = {}): string | { name: string; [option: string]: unknown } {
  assertExecutionProvider(device);
  switch (device) {
    case "cpu": return "cpu";
    // 'disabled' validation would be faster but turns a WebGPU error into a process crash (ort typings).
    case "webgpu": return { name: "webgpu", validationMode: "basic", ...splitWebGpuOptions(sessionConfig).provider };
    case "cuda": return { name: "cuda", deviceId: Number(process.env.WATTLAB_CUDA_DEVICE ?? 0) };
  }
}

/** Folder of onnxruntime-node's native binaries for this platform (where its install script puts the CUDA EP). */
export function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve("onnxruntime-node/package.json"));
  return join(packageDir, "bin", "napi-v6", process.platform, process.arch);
}

/** CUDA EP files that onnxruntime-node's script/install.js downloads (manifest 'linux/x64:cuda12' of script/install-metadata.js). */
const CUDA_EP_FILES = ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"];
/** Libraries the CUDA 12 EP of onnxruntime 1.30 links against. */
const CUDA_RUNTIME_LIBS = ["libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11", "libcudnn.so.9"];

// script/install-utils.js parseInstallFlag(): ONNXRUNTIME_NODE_INSTALL_CUDA=v12 (or ONNXRUNTIME_NODE_INSTALL=true) forces
// the download; in 1.30 ONNXRUNTIME_NODE_INSTALL=cuda12 falls through its switch and only installs when files are missing.
const CUDA_INSTALL_HINT =
  "install them with onnxruntime-node's own installer (script/install.js downloads the NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0 " +
  "from api.nuget.org and copies its runtimes/linux-x64/native/libonnxruntime_providers_{shared,cuda,tensorrt}.so there): " +
  "`ONNXRUNTIME_NODE_INSTALL_CUDA=v12 node node_modules/onnxruntime-node/script/install.js`";

/** Missing CUDA EP files, or [] when all are there. */
export function missingCudaEpFiles(binaryDir = ortBinaryDir()): string[] {
  return CUDA_EP_FILES.filter((file) => !existsSync(join(binaryDir, file)));
}

/** CUDA 12 / cuDNN 9 libraries the dynamic loader cannot find (ldconfig cache and LD_LIBRARY_PATH). */
export function missingCudaRuntimeLibs(): string[] {
  const found = new Set<string>();
  try {
    for (const line of execFileSync("ldconfig", ["-p"], { encoding: "utf8" }).split("\n")) {
      const name = line.trim().split(" ")[0];
      if (name) found.add(name);
    }
  } catch { /* no ldconfig: rely on LD_LIBRARY_PATH alone */ }
  for (const dir of (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean)) {
    try { for (const name of readdirSync(dir)) found.add(name); } catch { /* unreadable folder */ }
  }
  return CUDA_RUNTIME_LIBS.filter((lib) => !found.has(lib));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Checks before a CUDA session: the EP binaries are not bundled in the npm package. */
export function assertCudaReady(): void {
  const missing = missingCudaEpFiles();
  if (missing.length > 0) {
    throw new Error(`device "cuda": onnxruntime-node's CUDA execution provider is not installed (missing ${missing.join(", ")} in ${ortBinaryDir()}); ${CUDA_INSTALL_HINT}`);
  }
}

/** Turns an execution provider's load failure into one line that names what is missing and the fix. */
export function explainSessionError(error: unknown, device: ExecutionProvider, modelPath: string): Error {
  const message = messageOf(error);
  if (device === "cuda" && /Failed to load|providers_cuda|cannot open shared object/i.test(message)) {
    const missingEp = missingCudaEpFiles();
    if (missingEp.length > 0) {
      return new Error(`device "cuda": onnxruntime-node's CUDA execution provider is not installed (missing ${missingEp.join(", ")} in ${ortBinaryDir()}); ${CUDA_INSTALL_HINT}`);
    }
    const missingLibs = missingCudaRuntimeLibs();
    return new Error(`device "cuda": the CUDA execution provider of onnxruntime-node 1.30 needs CUDA 12 and cuDNN 9` +
      (missingLibs.length > 0 ? `; not found by the loader: ${missingLibs.join(", ")}` : "") +
      ` — install the CUDA 12 runtime, cuBLAS, cuFFT and cuDNN 9 (e.g. pip install nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 nvidia-cudnn-cu12) and put their lib folders on LD_LIBRARY_PATH (onnxruntime said: ${message.split("\n")[0]})`);
  }
  if (device === "webgpu" && /adapter|vulkan|webgpu/i.test(message)) {
    return new Error(`device "webgpu": no WebGPU adapter (${message.split("\n").find((l) => /adapter/i.test(l))?.trim() ?? message.split("\n")[0]}); ` +
      `onnxruntime-node's WebGPU EP (Dawn) needs a GPU with a Vulkan driver and the loader libvulkan.so.1 on Linux, and NVIDIA's driver also libEGL.so.1 and libGLdispatch.so.0 (apt-get install libvulkan1 libegl1 libglvnd0, or run from a \`wattlab bundle\` folder packed where they are installed: it carries them in lib/)`);
  }
  const wrapped = new Error(`${modelPath}: onnxruntime could not open the model on "${device}": ${message}`);
  (wrapped as Error & { cause?: unknown }).cause = error;
  return wrapped;
}

export interface ProviderStatus {
  name: ExecutionProvider;
  available: boolean;
  reason?: string;
}

/** What each execution provider needs here, without opening a session (for `wattlab info`). */
export function executionProviderStatus(backends: readonly string[]): ProviderStatus[] {
  const status: ProviderStatus[] = [{ name: "cpu", available: backends.includes("cpu") }];
  const vulkan = (() => {
    // LD_LIBRARY_PATH first: a `wattlab bundle` folder's launcher puts its own copy of the loader there
    if ((process.env.LD_LIBRARY_PATH ?? "").split(":").some((d) => d && existsSync(join(d, "libvulkan.so.1")))) return true;
    try { return execFileSync("ldconfig", ["-p"], { encoding: "utf8" }).includes("libvulkan.so.1"); } catch { return false; }
  })();
  status.push({ name: "webgpu", available: backends.includes("webgpu") && vulkan,
    reason: vulkan ? undefined : "the Vulkan loader libvulkan.so.1 is not installed (apt-get install libvulkan1) and a GPU driver with a Vulkan ICD is needed" });
  const missingEp = missingCudaEpFiles();
  const missingLibs = missingCudaRuntimeLibs();
  status.push({ name: "cuda", available: missingEp.length === 0 && missingLibs.length === 0,
    reason: missingEp.length ? `CUDA EP binaries missing (${missingEp.join(", ")}); ${CUDA_INSTALL_HINT}`
      : missingLibs.length ? `CUDA 12 runtime libraries missing: ${missingLibs.join(", ")}` : undefined });
  return status;
}
