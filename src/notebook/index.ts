// The notebook area's public surface: kernel, kernelspecs, headless runner, cleaning, rich display.
export { startKernel } from "./kernel.js";
export type { KernelOptions } from "./kernel.js";
export { installKernelSpec, writeKernelSpec, kernelSpec, kernelsDir, kernelName } from "./kernelspec.js";
export type { InstallOptions, KernelSpec, KernelSpecOptions } from "./kernelspec.js";
export { runNotebook } from "./runner.js";
export type { CellRun, NotebookRunResult, RunNotebookOptions } from "./runner.js";
export { cleanNotebook, cleanNotebookContent } from "./clean.js";
export type { CleanOptions } from "./clean.js";
export { injectParameters, parametersTag, injectedParametersTag } from "./parameters.js";
export { showPlot, showTable } from "./display.js";
export type { ShowPlotOptions } from "./display.js";
export { exportPlot } from "./plot.js";
export type { ExportedPlot, PlotFigure } from "./plot.js";
export type { TableLike, TableOptions } from "./table.js";
