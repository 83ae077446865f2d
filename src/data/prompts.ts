// Prompts of an exact token length for one run: texts chosen from a dataset by seed, cut or extended to
// exactly input_length tokens, optionally wrapped in the model's chat template.
import { Template } from "@huggingface/jinja";
import { SeededRandom } from "../util/rng.js";
import { loadPromptTexts, type DatasetOptions } from "./datasets.js";
import { DATASETS, isStyledDataset, isTextDataset, type DatasetName } from "./names.js";
import { styledTexts } from "./styled.js";
import { exactLengthIds, type ExactLengthTokenizer } from "./exact-length.js";
import { syntheticTexts, type SyntheticTokenizer } from "./synthetic.js";

/** What prompt building needs of a tokenizer; src/engine/tokenizer.ts's WattlabTokenizer provides it. */
export interface PromptTokenizer extends SyntheticTokenizer, ExactLengthTokenizer {
  readonly bosTokenId: number | null;
  readonly chatTemplate?: string | null;
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  applyChatTemplate?(messages: readonly { role: string; content: string }[], options?: { addGenerationPrompt?: boolean }): string;
}

export interface PromptOptions {
  /** Units: tokens per prompt, special and template tokens included. */
  inputLength: number;
  /** Prompts to return. */
  batch: number;
  /** Same seed → same prompts. */
  seed: number;
  /** Wrap each prompt in the tokenizer's chat template as one user turn plus the generation prompt. */
  chatTemplate?: boolean;
  /** Where alpaca/gsm8k live (see datasets.ts). */
  datasets?: DatasetOptions;
  /** The dataset's prompt texts already loaded (skips reading); not used for `synthetic`. */
  texts?: readonly string[];
}

/** Text handed to the exact-length fit per row: generously more than inputLength tokens at any tokenizer. */
function charsWanted(inputLength: number): number {
  return inputLength * 8 + 64;
}

const MARKER = "@@WATTLAB_PROMPT@@";

/** The chat template's token ids before and after the user content. */
export function chatTemplateParts(tokenizer: PromptTokenizer): { prefix: number[]; suffix: number[] } {
  const messages = [{ role: "user", content: MARKER }];
  if (!tokenizer.chatTemplate) {
    throw new Error("chat_template requested but the tokenizer has none (no chat_template in tokenizer_config.json); run without --chat-template");
  }
  const rendered = tokenizer.applyChatTemplate
    ? tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true })
    : new Template(tokenizer.chatTemplate).render({ messages, add_generation_prompt: true, bos_token: "", eos_token: "" });
  const at = rendered.indexOf(MARKER);
  if (at < 0) throw new Error("chat template dropped the user message; cannot place the prompt inside it");
  const encode = (text: string) => (text === "" ? [] : tokenizer.encode(text, { addSpecialTokens: false }));
  return { prefix: encode(rendered.slice(0, at)), suffix: encode(rendered.slice(at + MARKER.length)) };
}

/** Fits each row's texts to exactly inputLength ids (inside the chat template when asked). */
function fitRows(rowTexts: string[][], tokenizer: PromptTokenizer, inputLength: number, chatTemplate: boolean): number[][] {
  const parts = chatTemplate ? chatTemplateParts(tokenizer) : null;
  const contentLength = inputLength - (parts ? parts.prefix.length + parts.suffix.length : 0);
  if (contentLength < 1) {
    throw new Error(`input_length ${inputLength} leaves no room for the prompt: the chat template alone takes ${inputLength - contentLength} tokens; raise input_length or drop the chat template`);
  }
  return rowTexts.map((texts) => {
    const content = parts ? exactLengthIds(tokenizer, texts, contentLength, { addBos: false }) : exactLengthIds(tokenizer, texts, contentLength);
    const ids = parts ? [...parts.prefix, ...content, ...parts.suffix] : content;
    if (ids.length !== inputLength) throw new Error(`prompts: built ${ids.length} ids for input_length ${inputLength} (the exact-length fit is broken)`);
    return ids;
  });
}

function checkShape(inputLength: number, batch: number): void {
  if (!Number.isInteger(inputLength) || inputLength <= 0) throw new Error(`prompts: input length must be a positive integer, got ${inputLength}`);
  if (!Number.isInteger(batch) || batch <= 0) throw new Error(`prompts: batch must be a positive integer, got ${batch}`);
}

/**
 * Exactly `batch` prompts of exactly `inputLength` ids from a pool of texts: a seeded permutation of the
 * pool, each row taking the next texts until there is ample text, fitted by exactLengthIds. Row r is the
 * same for every batch size ≥ r + 1, so batch sizes differ only by the rows they add.
 * With a chat template, the content is fitted to inputLength minus the template's own tokens; the parts are
 * encoded separately, so ids at the two joins may differ from encoding the rendered string whole.
 */
export function promptsFromTexts(pool: readonly string[], tokenizer: PromptTokenizer, options: Omit<PromptOptions, "texts" | "datasets">): number[][] {
  const { inputLength, batch, seed } = options;
  checkShape(inputLength, batch);
  if (pool.length === 0) throw new Error("prompts: the dataset has no texts");
  const order = permutation(pool.length, new SeededRandom(seed, "prompts"));
  const rowTexts: string[][] = [];
  let next = 0;
  for (let r = 0; r < batch; r++) {
    const texts: string[] = [];
    // Cycling through the pool covers small pools and very long inputs alike.
    for (let chars = 0; chars < charsWanted(inputLength) && texts.length < pool.length * 64;) {
      const text = pool[order[next++ % order.length]];
      texts.push(text);
      chars += text.length;
    }
    rowTexts.push(texts);
  }
  return fitRows(rowTexts, tokenizer, inputLength, options.chatTemplate === true);
}

/** Random texts per synthetic row: four texts of inputLength + 16 random ids each is ample after re-tokenizing. */
const SYNTHETIC_TEXTS_PER_ROW = 4;

/** Synthetic prompts: row r always uses the same random texts (streams r·4 … r·4+3 of the seed). */
export function syntheticPrompts(tokenizer: PromptTokenizer, options: Omit<PromptOptions, "texts" | "datasets">): number[][] {
  checkShape(options.inputLength, options.batch);
  const texts = syntheticTexts(tokenizer, { count: options.batch * SYNTHETIC_TEXTS_PER_ROW, tokensPerText: options.inputLength + 16, seed: options.seed });
  const rowTexts = Array.from({ length: options.batch }, (_, r) => texts.slice(r * SYNTHETIC_TEXTS_PER_ROW, (r + 1) * SYNTHETIC_TEXTS_PER_ROW));
  return fitRows(rowTexts, tokenizer, options.inputLength, options.chatTemplate === true);
}

function permutation(n: number, rng: SeededRandom): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * `batch` prompts of exactly `inputLength` tokens from a dataset: Alpaca (instruction + input), GSM8K
 * (question), synthetic (random ids decoded to text, seeded) or a synthetic look-alike (data/synthetic/). Same seed and tokenizer → same ids.
 */
export async function promptsFor(dataset: DatasetName, tokenizer: PromptTokenizer, options: PromptOptions): Promise<number[][]> {
  if (dataset === "synthetic") return syntheticPrompts(tokenizer, options);
  if (isStyledDataset(dataset)) return promptsFromTexts(options.texts ?? styledTexts(dataset), tokenizer, options);
  if (!isTextDataset(dataset)) {
    throw new Error(`unknown dataset "${String(dataset)}". Should be one of: ${DATASETS.join(", ")}`);
  }
  const pool = options.texts ?? (await loadPromptTexts(dataset, options.datasets));
  return promptsFromTexts(pool, tokenizer, options);
}
