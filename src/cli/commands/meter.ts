// wattlab meter -- <command…>: what any command costs, like codecarbon's monitor.
import { meterCommand as measureCommand } from "../../meter/index.js";
import { get, UsageError, type CommandSpec } from "../args.js";

export const meterCommand: CommandSpec = {
  name: "meter",
  summary: "measure the energy of any command",
  usage: "wattlab meter [--gpus 0,1] [--idle-seconds S] [--json] -- <command…>",
  options: [
    { name: "gpus", kind: "list", help: "NVML indices to count (default: the visible GPUs)" },
    { name: "idle-seconds", kind: "number", help: "idle baseline before the command (0: none)", default: 0 },
    { name: "sample-ms", kind: "number", help: "power sampling period", default: 100 },
    { name: "cpu-tdp-w", kind: "number", help: "CPU TDP for the estimate when RAPL is unreadable" },
    { name: "zone", kind: "string", help: "grid zone for carbon (Electricity Maps zone or ISO alpha-3), default WORLD" },
    { name: "json", kind: "boolean", help: "print the measurement as JSON" },
  ],
  positionals: true,
  async run(parsed) {
    const argv = [...parsed.positionals, ...parsed.rest];
    if (argv.length === 0) throw new UsageError("wattlab meter: name a command after --, e.g. wattlab meter -- node bench.js");
    const gpus = get.list(parsed, "gpus").map(Number);
    const r = await measureCommand(argv, {
      gpus: gpus.length ? gpus : "visible", idleSeconds: get.number(parsed, "idle-seconds") || undefined,
      sampleMs: get.number(parsed, "sample-ms"), cpuTdpW: get.number(parsed, "cpu-tdp-w"),
      carbon: { zone: get.string(parsed, "zone") },
      stdio: get.boolean(parsed, "json") ? ["inherit", "inherit", "inherit"] : "inherit",
    });
    const m = r.measurement;
    if (get.boolean(parsed, "json")) {
      console.log(JSON.stringify({ argv: r.argv, exitCode: r.exitCode, signal: r.signal, measurement: m, idle: r.idle }, null, 2));
    } else {
      const est = (s: string) => (s === "estimated" ? " (ESTIMATED)" : "");
      console.error([
        `wattlab meter: ${argv.join(" ")} → exit ${r.exitCode ?? r.signal}`,
        `  time        ${m.seconds.toFixed(3)} s`,
        `  energy      ${m.totalEnergyJ.toFixed(2)} J total, ${m.dynamicEnergyJ.toFixed(2)} J above idle`,
        `  gpu         ${m.gpuEnergyJ.toFixed(2)} J [${m.sources.gpu}]${m.gpus.map((g) => ` gpu${g.index}=${g.energyJ.toFixed(2)} J`).join("")}`,
        `  cpu         ${m.cpuEnergyJ.toFixed(2)} J [${m.sources.cpu}]${est(m.sources.cpu)}`,
        `  dram        ${m.dramEnergyJ.toFixed(2)} J [${m.sources.dram}]${est(m.sources.dram)}`,
        `  power       ${m.avgPowerW.toFixed(1)} W average, ${m.peakPowerW === null ? "no power sample inside for a" : m.peakPowerW.toFixed(1) + " W"} peak`,
        ...(m.carbon ? [`  carbon      ${m.carbon.gramsCo2eq.toFixed(4)} gCO2eq at ${m.carbon.intensityGPerKwh.toFixed(0)} g/kWh (${m.carbon.source}, ${m.carbon.zone})`] : []),
      ].join("\n"));
    }
    process.exitCode = r.exitCode ?? 1;
  },
};
