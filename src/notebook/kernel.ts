// wattlab's Jupyter kernel: tslab's TypeScript kernel, started in this process, with three fixes in our layer:
// - `import … from "wattlab"` resolves from any notebook folder (see alias.ts);
// - a failed cell publishes an `error` message and an execute_reply with ename/evalue/traceback (tslab sends none);
// - the last expression's value comes back as `execute_result` with execution_count, plus `execute_input`;
// - shorthand properties see variables from earlier cells (see shorthand.ts).
// Started in-process, not as a child, so that SIGINT from Jupyter (interrupt_mode "signal") reaches tslab's vm,
// whose breakOnSigint can stop even a synchronous busy loop.
import { format, inspect } from "node:util";
import { aliasPackage } from "./alias.js";
import { describeFailure, type CellFailure, type ErrorContent } from "./kernel-errors.js";
import { packageRoot, requireFromTslab } from "./paths.js";
import { expandShorthandProperties } from "./shorthand.js";

export interface KernelOptions {
  /** The connection file Jupyter wrote ({connection_file} in kernel.json). */
  configPath: string;
}

// The parts of tslab 1.0.22's internals we use (dist/converter.js, executor.js, jupyter.js).
interface Converter {
  close(): void;
}
interface Executor {
  execute(src: string): Promise<boolean>;
  interrupt(): void;
  close(): void;
}
interface ExecuteRequest {
  code: string;
  silent?: boolean;
  stop_on_error?: boolean;
}
interface ZmqMessage {
  header: { msg_type: string };
  content: unknown;
  createReply(): ZmqMessage;
  signAndSend(key: string, socket: unknown): void;
}
interface ZmqServer {
  connInfo: { key: string };
  iopub: unknown;
  init(): Promise<void>;
  close(): void;
  handleExecute(socket: unknown, msg: ZmqMessage): Promise<void>;
  handleKernelInfo(socket: unknown, msg: ZmqMessage): void;
}
interface JupyterHandler {
  handleKernel(): { language_info: { version: string }; banner: string };
  handleIsComplete(req: unknown): unknown;
  handleInspect(req: unknown): unknown;
  handleComplete(req: unknown): unknown;
  handleShutdown(req: unknown): unknown;
  close(): void;
}
type Publish = (msgType: string, content: object) => void;
type ExecuteReply = { status: "ok" | "error" | "aborted"; execution_count: number | null } & Partial<ErrorContent> &
  Record<string, unknown>;

/** A cell failure makes requests that were already queued, or arrive this soon after, reply "aborted" (as tslab). */
const abortWindowMs = 200;

/** Start the kernel on the connection file's ports; resolves once its sockets are bound. */
export async function startKernel(options: KernelOptions): Promise<void> {
  aliasPackage("wattlab", packageRoot()); // before tslab builds its TypeScript program
  const tslab = requireFromTslab();
  const { createConverter } = tslab("./dist/converter.js") as {
    createConverter(options: { isJS: boolean; isBrowser: boolean }): Converter;
  };
  const { createExecutor } = tslab("./dist/executor.js") as {
    createExecutor(rootDir: string, converters: object, console: { log(v: unknown): void; error(...a: unknown[]): void }): Executor;
  };
  const jupyter = tslab("./dist/jupyter.js") as {
    ZmqServer: new (handler: object, configPath: string) => ZmqServer;
    JupyterHandlerImpl: new (executor: Executor, isJs: boolean) => JupyterHandler;
    lastWriteDisplayData: ((data: object, update: boolean) => void) | null;
  };
  const typescriptVersion = (tslab("@tslab/typescript-for-tslab") as { version: string }).version;

  const converters = lazyConverters(createConverter);
  converters.node; // warm the TypeScript program before binding, as tslab does: the first cell is then quick
  const cells = new CellRunner(jupyter);
  const executor = createExecutor(process.cwd(), converters, cells.console);
  cells.executor = executor;
  const tslabHandler = new jupyter.JupyterHandlerImpl(executor, false);
  const handler = {
    handleKernel: () => {
      const info = tslabHandler.handleKernel();
      info.language_info.version = typescriptVersion; // tslab reports a hard-coded "3.7.2"
      info.banner = `TypeScript ${typescriptVersion} (wattlab kernel on tslab, Node ${process.version})`;
      return info;
    },
    handleIsComplete: (req: unknown) => tslabHandler.handleIsComplete(req),
    handleInspect: (req: unknown) => tslabHandler.handleInspect(req),
    handleComplete: (req: unknown) => tslabHandler.handleComplete(req),
    handleShutdown: (req: unknown) => tslabHandler.handleShutdown(req),
    close: () => tslabHandler.close(),
  };

  class WattlabServer extends jupyter.ZmqServer {
    override async handleExecute(socket: unknown, msg: ZmqMessage): Promise<void> {
      const publish: Publish = (msgType, content) => {
        const out = msg.createReply();
        out.header.msg_type = msgType;
        out.content = content;
        out.signAndSend(this.connInfo.key, this.iopub);
      };
      const content = await cells.execute(msg.content as ExecuteRequest, publish);
      const reply = msg.createReply();
      reply.header.msg_type = "execute_reply";
      reply.content = content;
      reply.signAndSend(this.connInfo.key, socket);
    }
    override close(): void {
      super.close();
      // tslab closes its sockets on shutdown_request; exit soon after so a stray timer in a cell cannot keep us up.
      setTimeout(() => process.exit(0), 200);
    }
  }

  process.on("SIGINT", () => cells.interrupt());
  // As tslab: errors outside any cell's await go to the current cell's stderr instead of killing the kernel.
  process.on("uncaughtException", (error) => console.error("UncaughtException:", error));
  process.on("unhandledRejection", (reason) => console.error("UnhandledPromiseRejection:", reason));
  await new WattlabServer(handler, options.configPath).init();
}

function lazyConverters(create: (options: { isJS: boolean; isBrowser: boolean }) => Converter) {
  let node: Converter | undefined;
  let browser: Converter | undefined;
  return {
    get node() {
      return (node ??= create({ isJS: false, isBrowser: false }));
    },
    get browser() {
      return (browser ??= create({ isJS: false, isBrowser: true }));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
}

/** Runs execute requests one at a time and reports each cell's output, result and failure on iopub. */
class CellRunner {
  executor!: Executor;
  private count = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private arrived = 0;
  private abortThroughArrival = 0;
  private abortArrivalsUntilMs = 0;
  private current?: { publish: Publish; count: number; failure: CellFailure };

  constructor(private readonly jupyter: { lastWriteDisplayData: ((data: object, update: boolean) => void) | null }) {}

  /** The console tslab's executor reports to: log = the last expression's value, error = failures. */
  readonly console = {
    log: (value: unknown) => {
      const cell = this.current;
      if (!cell) return;
      cell.publish("execute_result", { execution_count: cell.count, data: { "text/plain": inspect(value) }, metadata: {} });
    },
    error: (...args: unknown[]) => {
      const failure = this.current?.failure;
      if (!failure) return void console.error(...args);
      // The executor calls error(value) for a thrown value and error(format, file, line, col, text) per diagnostic.
      if (args.length === 1) failure.thrown = { value: args[0] };
      else failure.diagnostics.push(format(...args));
    },
  };

  interrupt(): void {
    if (this.current) this.current.failure.interrupted = true;
    this.executor.interrupt();
  }

  execute(request: ExecuteRequest, publish: Publish): Promise<ExecuteReply> {
    const arrival = ++this.arrived;
    if (Date.now() < this.abortArrivalsUntilMs) return Promise.resolve({ status: "aborted", execution_count: null });
    const run = this.queue.then(() => {
      if (arrival <= this.abortThroughArrival) return { status: "aborted" as const, execution_count: null };
      return this.run(request, publish);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(request: ExecuteRequest, publish: Publish): Promise<ExecuteReply> {
    const count = ++this.count;
    if (!request.silent) publish("execute_input", { code: request.code, execution_count: count });
    const cell = { publish, count, failure: { diagnostics: [], interrupted: false } as CellFailure };
    this.current = cell;
    // As tslab: output written later (timers, background promises) still goes to the latest cell.
    process.stdout.write = streamTo("stdout", publish);
    process.stderr.write = streamTo("stderr", publish);
    this.jupyter.lastWriteDisplayData = (data, update) => publish(update ? "update_display_data" : "display_data", data);

    const ok = await this.executor.execute(expandShorthandProperties(request.code));
    if (ok) {
      // A `/** @module */` cell succeeds even with diagnostics; show them as tslab did.
      for (const line of cell.failure.diagnostics) process.stderr.write(line + "\n");
      return { status: "ok", execution_count: count, payload: [], user_expressions: {} };
    }
    const error = describeFailure(cell.failure);
    publish("error", error);
    if (request.stop_on_error !== false) {
      this.abortThroughArrival = this.arrived;
      this.abortArrivalsUntilMs = Date.now() + abortWindowMs;
    }
    return { status: "error", execution_count: count, ...error };
  }
}

function streamTo(name: "stdout" | "stderr", publish: Publish) {
  const decoder = new TextDecoder();
  return ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk);
    publish("stream", { name, text });
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") done();
    return true;
  }) as typeof process.stdout.write;
}
