// A synthetic byte-level BPE tokenizer of any vocabulary size (HF tokenizer.json format), for models with
// seeded weights and no real tokenizer: every text round-trips, and English-like words merge into fewer
// tokens (frequent letters first), so token counts stay plausible.

export interface SyntheticTokenizerOptions {
  vocabSize: number;
  bosTokenId: number;
  eosTokenId: number;
  /** Also the unknown token; the lowest free id when not given. */
  padTokenId?: number;
  modelMaxLength?: number;
}

export interface TokenizerFiles {
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** GPT-2's bytes_to_unicode: every byte as a printable character. */
export function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return map;
}

const LETTERS = "etaoinshrdlcumwfgypbvkjxqz";

/** Merges in rank order: "Ġ"+letter and letter pairs, then each new token extended by a letter, level by level. */
function* mergeCandidates(): Generator<[string, string]> {
  let level: string[] = [];
  const firsts = ["Ġ", ...LETTERS];
  const pairs: [number, string, string][] = [];
  firsts.forEach((a, i) => [...LETTERS].forEach((b, j) => pairs.push([i + j, a, b])));
  pairs.sort((x, y) => x[0] - y[0]);
  for (const [, a, b] of pairs) { yield [a, b]; level.push(a + b); }
  for (;;) {
    const next: string[] = [];
    for (const t of level) for (const c of LETTERS) { yield [t, c]; next.push(t + c); }
    level = next;
  }
}

export function synthesizeTokenizer(o: SyntheticTokenizerOptions): TokenizerFiles {
  const specialIds = new Map<number, string>();
  specialIds.set(o.bosTokenId, o.bosTokenId === o.eosTokenId ? "<|endoftext|>" : "<s>");
  if (o.eosTokenId !== o.bosTokenId) specialIds.set(o.eosTokenId, "</s>");
  let padId = o.padTokenId ?? 0;
  while (o.padTokenId === undefined && specialIds.has(padId)) padId++;
  if (!specialIds.has(padId)) specialIds.set(padId, "<unk>");
  for (const id of specialIds.keys()) {
    if (id < 0 || id >= o.vocabSize) throw new Error(`special token id ${id} is outside the vocabulary (size ${o.vocabSize})`);
  }
  if (o.vocabSize < 256 + specialIds.size) {
    throw new Error(`a byte-level tokenizer needs a vocabulary of at least ${256 + specialIds.size}; got ${o.vocabSize}`);
  }

  const vocab: Record<string, number> = {};
  let nextId = 0;
  const take = (): number => {
    while (specialIds.has(nextId)) nextId++;
    return nextId++;
  };
  for (const ch of byteToUnicode()) vocab[ch] = take();
  const merges: [string, string][] = [];
  const candidates = mergeCandidates();
  let size = 256 + specialIds.size;
  while (size < o.vocabSize) {
    const [a, b] = candidates.next().value as [string, string];
    if (vocab[a + b] !== undefined) continue;
    merges.push([a, b]);
    vocab[a + b] = take();
    size++;
  }
  for (const [id, content] of specialIds) vocab[content] = id;

  const bos = specialIds.get(o.bosTokenId)!;
  const eos = specialIds.get(o.eosTokenId)!;
  const pad = specialIds.get(padId)!;
  const addedTokens = [...specialIds].sort((x, y) => x[0] - y[0]).map(([id, content]) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { [bos]: { id: bos, ids: [o.bosTokenId], tokens: [bos] } },
    },
    decoder: byteLevel,
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  };
  const tokenizerConfig = {
    add_bos_token: true,
    add_eos_token: false,
    bos_token: bos,
    eos_token: eos,
    pad_token: pad,
    unk_token: pad,
    clean_up_tokenization_spaces: false,
    model_max_length: o.modelMaxLength ?? 2048,
    tokenizer_class: "PreTrainedTokenizerFast",
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...rest }) => [String(id), rest])),
    chat_template: "{{ bos_token }}{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}" +
      "{% endfor %}{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}",
  };
  return { tokenizer, tokenizerConfig };
}
