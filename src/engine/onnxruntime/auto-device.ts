// `device: "auto"` for onnxruntime: the first of cuda, webgpu, cpu that works here. Each GPU provider is checked
// first by its files (cheap: the EP binaries, the CUDA or Vulkan libraries, a GPU device node), and only then
// probed by opening a one-MatMul session in a child process that is killed if it does not answer (a provider
// that hangs cannot hang the caller). Probe results are remembered per process and in a cache file for a day.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { DataType, encodeModel } from "../../formats/onnx-proto.js";
import type { ExecutionProvider } from "../types.js";
import { executionProviderStatus } from "./providers.js";

/** The order `auto` tries. */
export const AUTO_ORDER: readonly ExecutionProvider[] = ["cuda", "webgpu", "cpu"];

export interface ProviderProbe {
  ok: boolean;
  /** Why it cannot be used; null when ok. */
  reason: string | null;
}

export interface AutoDeviceChoice {
  device: ExecutionProvider;
  /** One line: what was picked and why the providers before it were passed over. */
  because: string;
  /** Each provider looked at before the one chosen, with why it was passed over. */
  passedOver: { device: ExecutionProvider; reason: string }[];
}

export interface AutoDeviceOptions {
  /** Probe a provider that passed the file checks; default: a child process opening a one-MatMul session. */
  probe?: (device: ExecutionProvider) => Promise<ProviderProbe>;
  /** What the file checks find; default executionProviderStatus(onnxruntime's backends) and a GPU device node. */
  staticStatus?: () => Promise<{ device: ExecutionProvider; reason: string | null }[]>;
}

/** Where probe results are kept: $WATTLAB_CACHE (default ~/.cache/wattlab)/device-probe.json. */
export function probeCacheFile(): string {
  return join(process.env.WATTLAB_CACHE ?? join(homedir(), ".cache", "wattlab"), "device-probe.json");
}

const PROBE_TTL_MS = 24 * 3600 * 1000;
const PROBE_TIMEOUT_MS = 60_000;
const remembered = new Map<string, Promise<ProviderProbe>>();

function ortPackageDir(): string {
  return dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json"));
}

function ortVersion(): string {
  try { return (JSON.parse(readFileSync(join(ortPackageDir(), "package.json"), "utf8")) as { version: string }).version; } catch { return "unknown"; }
}

/** What a probe result depends on besides the provider: the host, onnxruntime-node's version and where libraries are found. */
function probeKey(device: ExecutionProvider): string {
  return `${device}|${hostname()}|onnxruntime-node ${ortVersion()}|LD_LIBRARY_PATH=${process.env.LD_LIBRARY_PATH ?? ""}`;
}

function readCache(): Record<string, ProviderProbe & { at: number }> {
  try { return JSON.parse(readFileSync(probeCacheFile(), "utf8")) as Record<string, ProviderProbe & { at: number }>; } catch { return {}; }
}

function writeCache(key: string, probe: ProviderProbe): void {
  try {
    const cache = readCache();
    cache[key] = { ...probe, at: Date.now() };
    mkdirSync(dirname(probeCacheFile()), { recursive: true });
    writeFileSync(probeCacheFile(), JSON.stringify(cache, null, 2) + "\n");
  } catch { /* an unwritable cache only costs a probe next time */ }
}

/** A model of one MatMul, [1, 4] × [4, 4]: enough for an execution provider to claim a node and run it. */
function probeModelFile(): string {
  const file = join(tmpdir(), `wattlab-probe-matmul-${process.pid}-${Date.now()}.onnx`);
  {
    const weight = new Float32Array(16).fill(0.5);
    writeFileSync(file, encodeModel({
      irVersion: 8, opsets: [{ domain: "", version: 17 }], producerName: "wattlab", producerVersion: "probe",
      graph: {
        name: "probe",
        nodes: [{ opType: "MatMul", inputs: ["x", "w"], outputs: ["y"], name: "matmul" }],
        initializers: [{ name: "w", dataType: DataType.FLOAT, dims: [4, 4], raw: new Uint8Array(weight.buffer) }],
        inputs: [{ name: "x", elemType: DataType.FLOAT, shape: [1, 4] }],
        outputs: [{ name: "y", elemType: DataType.FLOAT, shape: [1, 4] }],
      },
    }));
  }
  return file;
}

const PROBE_SCRIPT = `
const [ortUrl, modelPath, device] = process.argv.slice(1);
const ort = await import(ortUrl);
const provider = device === "webgpu" ? { name: "webgpu", validationMode: "basic" } : device === "cuda" ? { name: "cuda" } : "cpu";
const session = await ort.InferenceSession.create(modelPath, { executionProviders: [provider], logSeverityLevel: 3 });
const out = await session.run({ x: new ort.Tensor("float32", new Float32Array([1, 2, 3, 4]), [1, 4]) });
if (Math.abs(out.y.data[0] - 5) > 1e-3) throw new Error("wrong result " + out.y.data[0]);
process.stdout.write("ok\\n");
process.exit(0);
`;

/**
 * Opens a one-MatMul session on `device` in a child process: ok when it runs and answers right, otherwise the
 * first line of its error; a child that does not answer within `timeoutMs` is killed and counts as not working.
 */
export function probeProviderInChild(device: ExecutionProvider, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProviderProbe> {
  const ortUrl = pathToFileURL(createRequire(import.meta.url).resolve("onnxruntime-node")).href;
  const model = probeModelFile();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", PROBE_SCRIPT, ortUrl, model, device], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "", settled = false;
    const settle = (probe: ProviderProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      rmSync(model, { force: true });
      resolvePromise(probe);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle({ ok: false, reason: `opening a session did not finish within ${(timeoutMs / 1000).toFixed(0)} s` });
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("error", (error) => settle({ ok: false, reason: error.message }));
    child.on("close", (code) => {
      if (code === 0 && stdout.includes("ok")) settle({ ok: true, reason: null });
      else {
        const line = stderr.split("\n").map((l) => l.trim()).find((l) => /error/i.test(l)) ?? stderr.trim().split("\n")[0] ?? "";
        settle({ ok: false, reason: `a session on ${device} failed: ${line.replace(/^(Uncaught )?Error: /, "") || `exit code ${code}`}` });
      }
    });
  });
}

/** The probe, remembered for the process and (ok or not) in the cache file for a day. */
export function cachedProbe(device: ExecutionProvider, probe: (device: ExecutionProvider) => Promise<ProviderProbe> = probeProviderInChild): Promise<ProviderProbe> {
  const key = probeKey(device);
  let found = remembered.get(`${probeCacheFile()}|${key}`);
  if (!found) {
    const cached = readCache()[key];
    found = cached && Date.now() - cached.at < PROBE_TTL_MS
      ? Promise.resolve({ ok: cached.ok, reason: cached.reason })
      : probe(device).then((result) => { writeCache(key, result); return result; });
    remembered.set(`${probeCacheFile()}|${key}`, found);
  }
  return found;
}

function gpuDeviceNode(): string | null {
  if (existsSync("/dev/nvidiactl") || existsSync("/dev/nvidia0")) return "/dev/nvidia0";
  try { return readdirSync("/dev/dri").some((f) => f.startsWith("renderD")) ? "/dev/dri" : null; } catch { return null; }
}

async function defaultStaticStatus(): Promise<{ device: ExecutionProvider; reason: string | null }[]> {
  const { listBackends } = await import("./session.js");
  const gpu = process.platform === "linux" ? gpuDeviceNode() : "unknown";
  return executionProviderStatus(listBackends()).map((s) => ({
    device: s.name,
    reason: !s.available ? s.reason ?? "not available"
      : s.name !== "cpu" && gpu === null ? "no GPU device here (no /dev/nvidia0, no /dev/dri/renderD*)" : null,
  }));
}

/** The first of cuda, webgpu, cpu that passes its file checks and its probe; cpu is never probed. */
export async function chooseOnnxRuntimeDevice(options: AutoDeviceOptions = {}): Promise<AutoDeviceChoice> {
  const status = await (options.staticStatus ?? defaultStaticStatus)();
  const passedOver: AutoDeviceChoice["passedOver"] = [];
  for (const device of AUTO_ORDER) {
    if (device === "cpu") break;
    const reason = status.find((s) => s.device === device)?.reason ?? null;
    if (reason !== null) { passedOver.push({ device, reason }); continue; }
    const probe = await cachedProbe(device, options.probe);
    if (probe.ok) return { device, because: `device auto → ${device} (the first of ${AUTO_ORDER.join(", ")} that opens here)`, passedOver };
    passedOver.push({ device, reason: probe.reason ?? "the probe failed" });
  }
  return {
    device: "cpu",
    because: `device auto → cpu (${passedOver.map((p) => `${p.device}: ${shortReason(p.reason)}`).join("; ")}; \`wattlab info\` says more)`,
    passedOver,
  };
}

/** The first clause of a reason (the fix that follows it is for `wattlab info`). */
function shortReason(reason: string): string {
  return reason.split(/; | — /)[0].replace(/ \((?:apt-get|install)[^)]*\)/, "");
}
