// Hugging Face fast tokenizers (tokenizer.json + tokenizer_config.json) through @huggingface/tokenizers,
// with the special-token facts generation needs: BOS/EOS/pad ids, whether encode adds BOS, the chat template.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { hubDownload, looksLikeHubId } from "./hub.js";

export interface ChatMessage {
  role: string;
  content: string;
}

export interface WattlabTokenizer {
  readonly bosTokenId: number | null;
  readonly eosTokenIds: number[];
  readonly padTokenId: number | null;
  /** Whether encode(text, { addSpecialTokens: true }) starts with BOS (read off the tokenizer, not assumed). */
  readonly addBos: boolean;
  /** As tokenizer_config.json says (Hugging Face's default "right"); wattlab's engines always pad left. */
  readonly paddingSide: "left" | "right";
  /** The chat template (Jinja), or null when the tokenizer has none. */
  readonly chatTemplate: string | null;
  /** Vocabulary size including added tokens. */
  readonly vocabSize: number;
  /** The largest id encode can give (vocabSize - 1 where ids are contiguous); absent where unknown. */
  readonly maxTokenId?: number;
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** Renders the chat template; throws when there is none. */
  applyChatTemplate(messages: readonly ChatMessage[], options?: { addGenerationPrompt?: boolean }): string;
}

type Json = Record<string, unknown>;

/** A special token's text: tokenizer_config gives a string or an AddedToken object { content }. */
function tokenText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as Json).content === "string") return (value as Json).content as string;
  return null;
}

function chatTemplateOf(config: Json): string | null {
  const t = config.chat_template;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t as { name?: string; template?: string }[];
    return (named.find((x) => x.name === "default") ?? named[0])?.template ?? null;
  }
  return null;
}

class HfTokenizer implements WattlabTokenizer {
  readonly bosTokenId: number | null;
  readonly eosTokenIds: number[];
  readonly padTokenId: number | null;
  readonly addBos: boolean;
  readonly paddingSide: "left" | "right";
  readonly chatTemplate: string | null;
  readonly vocabSize: number;
  readonly maxTokenId: number;
  private readonly tokenizer: Tokenizer;
  private template: Template | null = null;

  constructor(tokenizerJson: Json, private readonly config: Json) {
    this.tokenizer = new Tokenizer(tokenizerJson, config);
    const id = (key: string): number | null => {
      const text = tokenText(config[key]);
      return text === null ? null : this.tokenizer.token_to_id(text) ?? null;
    };
    this.bosTokenId = id("bos_token");
    const eos = id("eos_token");
    this.eosTokenIds = eos === null ? [] : [eos];
    this.padTokenId = id("pad_token");
    const withSpecial = this.tokenizer.encode("a", { add_special_tokens: true }).ids;
    this.addBos = this.bosTokenId !== null && withSpecial[0] === this.bosTokenId;
    this.paddingSide = config.padding_side === "left" ? "left" : "right";
    this.chatTemplate = chatTemplateOf(config);
    const vocab = this.tokenizer.get_vocab(true);
    this.vocabSize = vocab.size;
    let maxId = -1;
    for (const id of vocab.values()) if (id > maxId) maxId = id;
    this.maxTokenId = maxId;
  }

  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  applyChatTemplate(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string {
    if (!this.chatTemplate) throw new Error("applyChatTemplate: this tokenizer has no chat_template in tokenizer_config.json");
    this.template ??= new Template(this.chatTemplate);
    return this.template.render({
      messages, add_generation_prompt: options.addGenerationPrompt ?? true,
      bos_token: tokenText(this.config.bos_token) ?? "", eos_token: tokenText(this.config.eos_token) ?? "",
      pad_token: tokenText(this.config.pad_token) ?? "", unk_token: tokenText(this.config.unk_token) ?? "",
    });
  }
}

/** A tokenizer from parsed tokenizer.json and tokenizer_config.json contents. */
export function tokenizerFromJson(tokenizerJson: object, tokenizerConfig: object = {}): WattlabTokenizer {
  return new HfTokenizer(tokenizerJson as Json, tokenizerConfig as Json);
}

function readJson(path: string): Json {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Json;
  } catch (error) {
    throw new Error(`${path}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * Loads a tokenizer from a local folder (tokenizer.json, tokenizer_config.json, special_tokens_map.json)
 * or, where online, a hub model id (files cached under $WATTLAB_CACHE or ~/.cache/wattlab/hub).
 */
export async function loadTokenizer(source: string, options: { revision?: string; cacheDir?: string } = {}): Promise<WattlabTokenizer> {
  const dir = looksLikeHubId(source)
    ? await hubDownload(source, ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"], {
      ...options, optional: ["tokenizer_config.json", "special_tokens_map.json"],
    })
    : source;
  const tokenizerPath = join(dir, "tokenizer.json");
  if (!existsSync(tokenizerPath)) {
    throw new Error(`${dir}: no tokenizer.json (wattlab reads Hugging Face fast-tokenizer files: tokenizer.json + tokenizer_config.json)`);
  }
  const configPath = join(dir, "tokenizer_config.json");
  const specialPath = join(dir, "special_tokens_map.json");
  // special_tokens_map.json fills special tokens the config leaves out (older exports).
  const special = existsSync(specialPath) ? readJson(specialPath) : {};
  const config = { ...special, ...(existsSync(configPath) ? readJson(configPath) : {}) };
  return tokenizerFromJson(readJson(tokenizerPath), config);
}
