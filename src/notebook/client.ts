// A Jupyter client for one kernel process: starts it with a fresh connection file, talks over ZeroMQ
// (shell and control: Dealer, iopub: Subscriber), runs code, interrupts with SIGINT, shuts it down.
// No heartbeat socket: we own the kernel's process, so its 'exit' event tells us it died, sooner than a ping would.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Zmq from "zeromq";
import { kernelCommand, requireFromTslab } from "./paths.js";
import { decodeMessage, encodeMessage, newHeader, type Message } from "./wire.js";

export interface KernelStartOptions {
  /** The kernel's working directory; tslab resolves the notebook's imports from here. */
  cwd: string;
  /** Command before `--config-path <file>`; default: wattlab's kernel with this Node. */
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Give up when the kernel is not answering after this long. Units: s. */
  startTimeoutS?: number;
}

/** How one execute_request ended. `timeout`: interrupted after its time ran out (the kernel killed if it did not stop). */
export interface ExecuteOutcome {
  state: "ok" | "error" | "aborted" | "timeout" | "died";
  /** The iopub messages this request caused, in order, without `status`. */
  messages: Message[];
  reply?: Message;
  seconds: number;
  /** For "died" and a killed "timeout": what happened to the process, with the end of its stderr. */
  detail?: string;
}

/** After SIGINT, wait this long for the cell to stop before killing the kernel. Units: ms. */
const interruptGraceMs = 5000;
const shutdownGraceMs = 3000;
const outputTailChars = 4000;

type Exit = { code: number | null; signal: NodeJS.Signals | null };

export class KernelClient {
  private readonly session = randomUUID();
  private readonly replies = new Map<string, (message: Message) => void>();
  private readonly iopubListeners = new Set<(message: Message) => void>();
  private output = "";
  private exit?: Exit;
  private readonly exited: Promise<Exit>;
  private closed = false;
  /** The kernel_info_reply content (language_info, banner…), once started. */
  kernelInfo: Record<string, unknown> = {};

  private constructor(
    readonly process: ChildProcess,
    private readonly key: string,
    private readonly connectionDir: string,
    private readonly shell: Zmq.Dealer,
    private readonly control: Zmq.Dealer,
    private readonly iopub: Zmq.Subscriber,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString("utf8")).slice(-outputTailChars));
    process.stdout?.on("data", keep);
    process.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => process.once("exit", (code, signal) => resolve((this.exit = { code, signal }))));
    this.receive(shell, (message) => this.replies.get(String(message.parent_header.msg_id))?.(message));
    this.receive(control, (message) => this.replies.get(String(message.parent_header.msg_id))?.(message));
    this.receive(iopub, (message) => this.iopubListeners.forEach((listener) => listener(message)));
  }

  /** Start a kernel and wait until it answers on shell and publishes on iopub. */
  static async start(options: KernelStartOptions): Promise<KernelClient> {
    const zmq = requireFromTslab()("zeromq") as typeof Zmq; // tslab's own zeromq: the one its kernel speaks with
    const ports = await freePorts(5);
    const key = randomBytes(32).toString("hex");
    const connection = {
      shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4],
      ip: "127.0.0.1", key, transport: "tcp", signature_scheme: "hmac-sha256", kernel_name: "wattlab",
    };
    const connectionDir = mkdtempSync(join(tmpdir(), "wattlab-kernel-"));
    const connectionFile = join(connectionDir, "connection.json");
    writeFileSync(connectionFile, JSON.stringify(connection));
    const [command, ...args] = [...(options.argv ?? kernelCommand()), "--config-path", connectionFile];
    const child = spawn(command!, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });

    const address = (port: number) => `tcp://127.0.0.1:${port}`;
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(address(connection.shell_port));
    control.connect(address(connection.control_port));
    iopub.connect(address(connection.iopub_port));
    iopub.subscribe();
    const client = new KernelClient(child, key, connectionDir, shell, control, iopub);
    try {
      await client.waitUntilReady((options.startTimeoutS ?? 120) * 1000);
    } catch (error) {
      await client.shutdown();
      throw error;
    }
    return client;
  }

  /** The last few thousand characters the kernel process wrote to its own stdout and stderr. */
  get outputTail(): string {
    return this.output;
  }

  onIopub(listener: (message: Message) => void): () => void {
    this.iopubListeners.add(listener);
    return () => this.iopubListeners.delete(listener);
  }

  /** Send a request; resolves with its reply (or rejects when the kernel exits first). */
  request(channel: "shell" | "control", msgType: string, content: object): { msgId: string; reply: Promise<Message> } {
    const header = newHeader(msgType, this.session);
    const reply = new Promise<Message>((resolve, reject) => {
      this.replies.set(header.msg_id, (message) => {
        this.replies.delete(header.msg_id);
        resolve(message);
      });
      this.exited.then(() => reject(new Error(`kernel exited before replying to ${msgType}: ${this.describeExit()}`)));
    });
    reply.catch(() => undefined); // callers that stop waiting (timeouts) must not leave an unhandled rejection
    const socket = channel === "shell" ? this.shell : this.control;
    socket.send(encodeMessage(this.key, { header, parent_header: {}, metadata: {}, content })).catch(() => undefined);
    return { msgId: header.msg_id, reply };
  }

  /** Run code; on timeout send SIGINT, and kill the kernel if it has not stopped after a grace period. */
  async execute(code: string, timeoutS: number | null): Promise<ExecuteOutcome> {
    const started = performance.now();
    const messages: Message[] = [];
    let idle!: () => void;
    const idleSeen = new Promise<void>((resolve) => (idle = resolve));
    let msgId = "";
    const early: Message[] = []; // iopub can deliver before request() returns the id
    const stop = this.onIopub((message) => {
      if (!msgId) return void early.push(message);
      collect(message);
    });
    const collect = (message: Message) => {
      if (message.parent_header.msg_id !== msgId) return;
      if (message.header.msg_type === "status") {
        if ((message.content as { execution_state?: string }).execution_state === "idle") idle();
      } else messages.push(message);
    };
    const request = this.request("shell", "execute_request", {
      code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true,
    });
    msgId = request.msgId;
    early.forEach(collect);
    const seconds = () => (performance.now() - started) / 1000;
    const finished = Promise.all([request.reply, idleSeen]).then(([reply]) => reply);
    const died = this.exited.then(() => "died" as const);
    try {
      const timedOut = timeoutS === null ? new Promise<never>(() => {}) : delay(timeoutS * 1000).then(() => "timeout" as const);
      const first = await Promise.race([finished, died, timedOut]).catch(
        () => "died" as const,
      );
      if (first === "died") return { state: "died", messages, seconds: seconds(), detail: this.describeExit() };
      if (first !== "timeout") {
        const status = String(first.content.status);
        const state = status === "ok" ? "ok" : status === "aborted" || status === "abort" ? "aborted" : "error";
        return { state, messages, reply: first, seconds: seconds() };
      }
      this.interrupt();
      const after = await Promise.race([finished, died, delay(interruptGraceMs).then(() => "stuck" as const)]).catch(
        () => "died" as const,
      );
      if (typeof after === "object") return { state: "timeout", messages, reply: after, seconds: seconds() };
      if (after === "stuck") await this.kill();
      return { state: "timeout", messages, seconds: seconds(), detail: `the kernel did not stop on SIGINT and was killed; ${this.describeExit()}` };
    } finally {
      stop();
    }
  }

  /** Interrupt the running cell the way Jupyter's interrupt_mode "signal" does. */
  interrupt(): void {
    if (!this.exit) this.process.kill("SIGINT");
  }

  get alive(): boolean {
    return !this.exit;
  }

  /** shutdown_request on control, then SIGKILL if the process is still there after a grace period; closes sockets. */
  async shutdown(): Promise<void> {
    if (this.alive) {
      this.request("control", "shutdown_request", { restart: false });
      const gone = await Promise.race([this.exited.then(() => true), delay(shutdownGraceMs).then(() => false)]);
      if (!gone) await this.kill();
    }
    this.close();
  }

  private async kill(): Promise<void> {
    if (this.exit) return;
    this.process.kill("SIGKILL");
    await this.exited;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
  }

  private describeExit(): string {
    const how = this.exit ? `exit code ${this.exit.code}, signal ${this.exit.signal}` : "still running";
    const tail = this.output.trim();
    return tail ? `${how}; its output ended with:\n${tail}` : how;
  }

  /** kernel_info until it replies, then again until iopub carries its status: ZeroMQ subscriptions join late. */
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let answered = false;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`wattlab kernel exited while starting (${this.describeExit()})`);
      let seen!: () => void;
      const statusSeen = new Promise<void>((resolve) => (seen = resolve));
      const request = this.request("shell", "kernel_info_request", {});
      const stop = this.onIopub((message) => {
        if (message.parent_header.msg_id === request.msgId && message.header.msg_type === "status") seen();
      });
      try {
        const waitMs = answered ? 1000 : deadline - Date.now();
        const reply = await Promise.race([request.reply, delay(waitMs).then(() => undefined)]).catch(() => undefined);
        if (!reply) continue;
        answered = true;
        this.kernelInfo = reply.content;
        if (await Promise.race([statusSeen.then(() => true), delay(1000).then(() => false)])) return;
      } finally {
        stop();
      }
    }
    throw new Error(`wattlab kernel did not answer within ${timeoutMs / 1000} s (${this.describeExit()})`);
  }

  private receive(socket: Zmq.Dealer | Zmq.Subscriber, handle: (message: Message) => void): void {
    void (async () => {
      try {
        for await (const frames of socket) {
          try {
            handle(decodeMessage(this.key, frames));
          } catch (error) {
            this.output = (this.output + `\n[client] dropped a message: ${(error as Error).message}`).slice(-outputTailChars);
          }
        }
      } catch {
        // the socket was closed while receiving: nothing more will come
      }
    })();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Distinct free TCP ports on 127.0.0.1, as jupyter_client picks them (held open together, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
