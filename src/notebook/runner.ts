// Runs a notebook headless, without Python: wattlab's kernel, the Jupyter protocol over ZeroMQ, nbformat 4 out.
import { mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { KernelClient, type ExecuteOutcome } from "./client.js";
import { readNotebook, sourceText, writeNotebook, type CodeCell, type ErrorOutput, type Notebook } from "./nbformat.js";
import { outputsFromMessages, type DisplayRegistry } from "./outputs.js";
import { injectParameters } from "./parameters.js";

export interface RunNotebookOptions {
  /** Values for the `let` declarations of the cell tagged `parameters` (see parameters.ts). */
  parameters?: Record<string, unknown>;
  /** Per-cell limit; a cell past it is interrupted and the run stops. Default: none. Units: s. */
  timeoutS?: number;
  /** Write the executed notebook here under its own name; default: over the input. */
  outDir?: string;
  /** The kernel's working directory; default: the notebook's folder (as Jupyter does). */
  cwd?: string;
  /** Limit for the kernel to start answering. Units: s. */
  startTimeoutS?: number;
}

/** One code cell's execution. `index` counts all cells of the executed notebook (the injected one included). */
export interface CellRun {
  index: number;
  executionCount: number;
  state: ExecuteOutcome["state"];
  seconds: number;
}

export interface NotebookRunResult {
  ok: boolean;
  /** Where the executed notebook was written. */
  outputPath: string;
  /** The first cell that failed; the cells after it did not run. */
  failedCell?: { index: number; ename: string; evalue: string };
  cells: CellRun[];
  /** Wall time of the whole run, kernel start and shutdown included. Units: s. */
  seconds: number;
}

export async function runNotebook(path: string, options: RunNotebookOptions = {}): Promise<NotebookRunResult> {
  const started = performance.now();
  const notebookPath = resolve(path);
  const notebook = prepare(readNotebook(notebookPath), options.parameters ?? {}, notebookPath);
  const outputPath = options.outDir ? join(resolve(options.outDir), basename(notebookPath)) : notebookPath;

  const client = await KernelClient.start({ cwd: options.cwd ?? dirname(notebookPath), startTimeoutS: options.startTimeoutS });
  const cells: CellRun[] = [];
  let failedCell: NotebookRunResult["failedCell"];
  try {
    if (client.kernelInfo.language_info) notebook.metadata.language_info = client.kernelInfo.language_info;
    const displays: DisplayRegistry = new Map();
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== "code" || sourceText(cell.source).trim() === "") continue;
      const executionCount = cells.length + 1; // numbered here: counts must not depend on the kernel's history
      const outcome = await client.execute(sourceText(cell.source), options.timeoutS ?? null);
      cell.execution_count = executionCount;
      cell.outputs = outputsFromMessages(outcome.messages, executionCount, displays);
      cells.push({ index, executionCount, state: outcome.state, seconds: outcome.seconds });
      if (outcome.state !== "ok") {
        failedCell = { index, ...recordFailure(cell, outcome, options.timeoutS ?? 0) };
        break;
      }
    }
  } finally {
    await client.shutdown();
  }
  mkdirSync(dirname(outputPath), { recursive: true });
  writeNotebook(outputPath, notebook);
  return { ok: !failedCell, outputPath, failedCell, cells, seconds: (performance.now() - started) / 1000 };
}

/** The notebook as it will run: parameters injected, previous outputs and counts cleared. */
function prepare(notebook: Notebook, parameters: Record<string, unknown>, label: string): Notebook {
  const prepared = injectParameters(notebook, parameters, label);
  for (const cell of prepared.cells) {
    if (cell.cell_type !== "code") continue;
    cell.outputs = [];
    cell.execution_count = null;
  }
  if (Object.keys(parameters).length > 0) prepared.metadata = { ...prepared.metadata, wattlab: { parameters } };
  return prepared;
}

/** Make sure the failed cell shows why it failed, and say so for the result. */
function recordFailure(cell: CodeCell, outcome: ExecuteOutcome, timeoutS: number): { ename: string; evalue: string } {
  const errors = () => cell.outputs.filter((output): output is ErrorOutput => output.output_type === "error");
  let error: ErrorOutput;
  if (outcome.state === "timeout") {
    // The kernel's own "Interrupted" error only echoes our SIGINT; say what happened instead.
    cell.outputs = cell.outputs.filter((output) => output.output_type !== "error");
    const killed = outcome.detail ? ` ${outcome.detail}` : "";
    error = errorOutput("CellTimeoutError", `the cell ran past its ${timeoutS} s limit and was interrupted;${killed || " the kernel stopped it"}`);
  } else if (outcome.state === "died") {
    error = errorOutput("KernelDiedError", `the kernel process ended during this cell (${outcome.detail})`);
  } else if (outcome.state === "aborted") {
    error = errorOutput("AbortedError", "the kernel aborted this cell after an earlier failure");
  } else {
    const shown = errors().at(-1);
    if (shown) return { ename: shown.ename, evalue: shown.evalue };
    error = fromReply(outcome) ?? fromStderr(cell) ?? errorOutput("Error", "the kernel reported an error without details");
  }
  cell.outputs.push(error);
  return { ename: error.ename, evalue: error.evalue };
}

function errorOutput(ename: string, evalue: string): ErrorOutput {
  return { output_type: "error", ename, evalue, traceback: [`${ename}: ${evalue}`] };
}

function fromReply(outcome: ExecuteOutcome): ErrorOutput | undefined {
  const content = outcome.reply?.content as { ename?: string; evalue?: string; traceback?: string[] } | undefined;
  if (!content?.ename) return undefined;
  return { output_type: "error", ename: content.ename, evalue: content.evalue ?? "", traceback: content.traceback ?? [] };
}

/** A kernel that only prints its failure (plain tslab does): take "Name: message" from the cell's stderr. */
function fromStderr(cell: CodeCell): ErrorOutput | undefined {
  const stderr = cell.outputs.flatMap((output) => (output.output_type === "stream" && output.name === "stderr" ? [sourceText(output.text)] : []));
  const match = stderr.join("").match(/^(?:Uncaught )?([A-Za-z_$][\w$]*(?:Error|Exception)?): (.*)$/m);
  return match ? errorOutput(match[1]!, match[2]!) : undefined;
}
