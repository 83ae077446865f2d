// Does a meter window's GPU energy agree with an independent reading of the same counter? For windows of
// 0.2 s, 2 s and 20 s: wattlab's joules vs pynvml's nvmlDeviceGetTotalEnergyConsumption read by a separate
// Python process just before begin and just after end, and vs nvidia-smi's power.draw integrated over the
// same span. For a GPU host (the H200), with load from a hook (default: a bf16 matmul loop in PyTorch).
//   node --import tsx bench/meter-agreement.ts [--load torch|none] [--repeats 3]
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Meter } from "../src/meter/index.js";

/** Something that keeps the GPU busy between start and stop. The lead can supply ORT-webgpu load here. */
export interface LoadHook {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const PYNVML_READER = `
import sys, time, pynvml
pynvml.nvmlInit()
handle = pynvml.nvmlDeviceGetHandleByIndex(int(sys.argv[1]))
print("ready", flush=True)
for _ in sys.stdin:
    print(pynvml.nvmlDeviceGetTotalEnergyConsumption(handle), flush=True)
`;

const TORCH_LOAD = `
import sys, threading, torch
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
b = torch.randn_like(a)
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
for _ in range(3): a @ b
torch.cuda.synchronize()
print("loaded", flush=True)
while not stop.is_set():
    for _ in range(8): a @ b
    torch.cuda.synchronize()
`;

/** A line-oriented child: write a line, await the next line it prints. */
class LineChild {
  private readonly lines: Interface;
  private readonly waiting: { resolve(line: string): void; reject(error: Error): void }[] = [];
  constructor(readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on("line", (line) => this.waiting.shift()?.resolve(line));
    const fail = (why: string): void => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`${child.spawnfile} ${why} before answering`));
    };
    child.on("exit", (code) => fail(`exited (${code})`));
    child.on("error", (error) => fail(`failed (${error.message})`));
  }
  next(): Promise<string> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
  async ask(): Promise<string> {
    const answer = this.next();
    this.child.stdin!.write("\n");
    return answer;
  }
}

export function torchLoad(gpuIndex: number): LoadHook {
  let child: LineChild | null = null;
  return {
    name: "torch bf16 8192² matmul loop",
    async start() {
      child = new LineChild(spawn("python3", ["-c", TORCH_LOAD], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, CUDA_VISIBLE_DEVICES: String(gpuIndex) } }));
      await child.next();
    },
    async stop() {
      child?.child.stdin!.end();
      await new Promise((resolve) => child?.child.once("exit", resolve));
    },
  };
}

export const noLoad: LoadHook = { name: "none (idle GPU)", async start() {}, async stop() {} };

/** nvidia-smi power.draw every 20 ms, stamped on arrival; integrated by trapezoid between two instants. */
function smiPowerLog(gpuIndex: number): { integrateJ(fromMs: number, toMs: number): number | null; stop(): void } {
  const samples: { tMs: number; watts: number }[] = [];
  const child = spawn("nvidia-smi", ["-i", String(gpuIndex), "--query-gpu=power.draw", "--format=csv,noheader,nounits", "-lms", "20"], { stdio: ["ignore", "pipe", "ignore"] });
  child.on("error", () => undefined);
  if (child.stdout) {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const watts = Number.parseFloat(line);
      if (Number.isFinite(watts)) samples.push({ tMs: performance.now(), watts });
    });
  }
  return {
    integrateJ(fromMs, toMs) {
      const inside = samples.filter((sample) => sample.tMs >= fromMs && sample.tMs <= toMs);
      if (inside.length < 2) return null;
      let joules = 0;
      for (let i = 1; i < inside.length; i++) joules += ((inside[i].watts + inside[i - 1].watts) / 2) * ((inside[i].tMs - inside[i - 1].tMs) / 1000);
      // Stretch to the span's ends with the edge samples.
      joules += inside[0].watts * ((inside[0].tMs - fromMs) / 1000) + inside[inside.length - 1].watts * ((toMs - inside[inside.length - 1].tMs) / 1000);
      return joules;
    },
    stop: () => child.kill(),
  };
}

export interface AgreementRow {
  windowS: number;
  repeat: number;
  meterJ: number;
  meterSource: string;
  pynvmlJ: number;
  diffPct: number;
  smiIntegratedJ: number | null;
  meterSeconds: number;
}

export async function main(options: { load?: LoadHook | "torch" | "none"; repeats?: number; durationsS?: number[] } = {}): Promise<AgreementRow[]> {
  const meter = await Meter.open({ cpu: "none", sampleMs: 100 });
  const { gpu } = meter.describe();
  if (gpu.source !== "nvml" || gpu.devices.length === 0) {
    await meter.close();
    throw new Error(`no NVML GPU to compare against: ${gpu.reason ?? "none found"}`);
  }
  const index = gpu.devices[0].index;
  const load = options.load === "none" ? noLoad : options.load === undefined || options.load === "torch" ? torchLoad(index) : options.load;
  const reader = new LineChild(spawn("python3", ["-c", PYNVML_READER, String(index)], { stdio: ["pipe", "pipe", "inherit"] }));
  await reader.next();
  const smi = smiPowerLog(index);
  const rows: AgreementRow[] = [];
  try {
    await load.start();
    await new Promise((resolve) => setTimeout(resolve, 2000)); // reach steady power
    for (const windowS of options.durationsS ?? [0.2, 2, 20]) {
      for (let repeat = 0; repeat < (options.repeats ?? 3); repeat++) {
        const beforeMj = Number(await reader.ask());
        const fromMs = performance.now();
        await meter.begin("agreement");
        await new Promise((resolve) => setTimeout(resolve, windowS * 1000));
        const window = await meter.end("agreement");
        const toMs = performance.now();
        const afterMj = Number(await reader.ask());
        const meterJ = window.gpus.find((g) => g.index === index)!.energyJ;
        const pynvmlJ = (afterMj - beforeMj) / 1000;
        const smiJ = smi.integrateJ(fromMs, toMs);
        rows.push({
          windowS,
          repeat,
          meterJ: Number(meterJ.toFixed(2)),
          meterSource: window.gpus.find((g) => g.index === index)!.source,
          pynvmlJ: Number(pynvmlJ.toFixed(2)),
          diffPct: Number((((meterJ - pynvmlJ) / pynvmlJ) * 100).toFixed(2)),
          smiIntegratedJ: smiJ === null ? null : Number(smiJ.toFixed(2)),
          meterSeconds: Number(window.seconds.toFixed(4)),
        });
      }
    }
  } finally {
    await load.stop();
    reader.child.stdin!.end();
    smi.stop();
    await meter.close();
  }
  console.log(`GPU ${index} (${gpu.devices[0].name}), driver ${gpu.driverVersion}, load: ${load.name}`);
  console.table(rows);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  await main({ load: (arg("--load") as "torch" | "none" | undefined) ?? "torch", repeats: Number(arg("--repeats") ?? 3) });
}
