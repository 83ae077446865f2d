// Warm-up per request shape. Engines compile kernels and size buffers per shape (llama.cpp's Vulkan pipelines, its
// context; onnxruntime's WebGPU shaders): on the H200 the first run of each new shape came out several times slower
// than its repetitions. So every shape of a loaded engine is warmed up before its first recorded run.
import type { Engine } from "../engine/types.js";
import type { RunConfig } from "./dimensions.js";
import { errorText } from "./error-text.js";

export interface WarmUpOptions {
  /** Generations per shape; 0 warms nothing. */
  warmupRuns: number;
  fixedLength: boolean;
  /** The engine group, for the warning a failed warm-up gives. */
  group: string;
  say(message: string): void;
}

export class ShapeWarmer {
  private readonly warmed = new Set<string>();

  constructor(
    private readonly engine: Engine,
    private readonly promptsOf: (c: RunConfig) => Promise<number[][]>,
    private readonly options: WarmUpOptions,
  ) {}

  /** Warms `c`'s shape unless done before; true when warm-up generations ran for it now. A failed one is said, not thrown. */
  async warm(c: RunConfig): Promise<boolean> {
    const shape = `${c.batchSize}|${c.inputLength}|${c.outputLength}`;
    if (this.warmed.has(shape)) return false;
    this.warmed.add(shape);
    const context = this.engine.info.contextLength;
    if (context > 0 && c.inputLength + c.outputLength > context) return false; // the run itself records why
    const { warmupRuns, fixedLength, group, say } = this.options;
    for (let w = 0; w < warmupRuns; w++) {
      try {
        await this.engine.generate({ promptIds: await this.promptsOf(c), maxNewTokens: c.outputLength, fixedLength });
      } catch (error) {
        say(`warm-up ${w + 1} of ${group} batch ${c.batchSize} × ${c.inputLength}+${c.outputLength} tokens failed (${errorText(error)}); its runs will record the error if it persists`);
        break;
      }
    }
    return warmupRuns > 0;
  }
}
