// The meter's public surface: values first, then types.
export { Meter } from "./meter.js";
export { MeterWindowError } from "./windows.js";
export { NvmlError, NvmlLoadError } from "./nvml/errors.js";
export { carbonFor, resolveGridIntensity, yearlyIntensity, latestIntensity, intensityHistory, JOULES_PER_KWH } from "./carbon.js";
export { describeMeters, formatMeterInfo } from "./info.js";
export { meterCommand, meterFunction } from "./command.js";
export { beginWindow, endWindow, markWindow, withWindow, windowsEnabled, pythonWindowHelperPath } from "./window-client.js";
export { WINDOW_FD_ENV, parseWindowLine, formatWindowEvent } from "./window-protocol.js";

export type { MeterOptions } from "./meter.js";
export type { IdleBaseline } from "./measure.js";
export type { CarbonOptions } from "./carbon.js";
export type { MeterInfo } from "./info.js";
export type { MeterCommandOptions, MeterCommandResult, MeterFunctionOptions, MeterFunctionResult, NamedWindowsResult } from "./command.js";
export type { NamedWindow } from "./window-recorder.js";
export type { MarkValue, WindowEvent, ParsedLine } from "./window-protocol.js";
export type { WindowTime } from "./meter.js";
export type { MeterDescription, GpuDescription, CpuDescription, GpuFacts, RaplZoneFacts } from "./description.js";
export type { CpuChoice, GpuChoice } from "./devices/open.js";
export type { WindowMeasurement, GpuWindowEnergy, FigureSource, PowerSample, GridIntensity, CarbonEstimate } from "./types.js";
