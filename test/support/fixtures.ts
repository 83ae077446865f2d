// The third-party files the tests read, each with the bytes it must have and the public place it comes from.
// A file is looked for at $WATTLAB_SHARED, ../shared and the user cache (see shared.ts); `npm run fixtures`
// downloads the missing ones that have a pinned URL into the cache, refusing any whose digest differs.

/** How we know that `url` serves exactly the bytes named here. */
export type FixtureEvidence =
  /** The bytes equal the git blob at the pinned commit: compared here against a clone of that repository. */
  | "identical-git-blob"
  /** Not downloaded here; size and sha256 equal several independent public pins of this same URL. */
  | "matches-public-pins"
  /** Not downloaded here; the pinned commit's tree names this git blob id, which the download is checked against. */
  | "git-blob-id"
  /** Our copy is not a public file (assembled or sampled); no URL serves it. */
  | "derived";

export interface Fixture {
  /** Path under shared/ (and under the cache's fixtures/ folder). */
  path: string;
  /** Size in bytes; null where only a git blob id is known. */
  size: number | null;
  /** sha256 of the bytes; null where only a git blob id is known. */
  sha256: string | null;
  /** git's id for the bytes (sha1 of "blob <size>\0" + bytes), where that is the pin. */
  gitBlobSha1?: string;
  /** Pinned public URL serving exactly these bytes; absent for derived files. */
  url?: string;
  evidence: FixtureEvidence;
  /** Where it comes from and under which licence. */
  source: string;
  /** For derived files: how ours was made, and what the tests accept instead. */
  derivation?: string;
  /** Present where this file is the public form that tests accept in place of a derived one (its path). */
  standsInFor?: string;
}

const ORT_GENAI_TINY_LLAMA =
  "https://raw.githubusercontent.com/microsoft/onnxruntime-genai/f00eed5bb25257a04b7626ca737bf43b32dd3d96/test/test_models/hf-internal-testing/tiny-random-LlamaForCausalLM-fp16";
const ORT_GENAI_TINY_LLAMA_SOURCE =
  "microsoft/onnxruntime-genai (MIT), test/test_models/hf-internal-testing/tiny-random-LlamaForCausalLM-fp16 at commit " +
  "f00eed5bb252 ('Add missing models', 2025-03-06, reachable from pull request #1300): the model builder's fp16 export of " +
  "hf-internal-testing/tiny-random-LlamaForCausalLM";
const ORT_GENAI_LLAMA2 =
  "https://raw.githubusercontent.com/microsoft/onnxruntime-genai/160e2c41383bc8f86dd972f02d1f3d3cc3312df3/examples/llama/model";
const ORT_GENAI_LLAMA2_SOURCE =
  "microsoft/onnxruntime-genai, examples/llama/model at commit 160e2c41383b (main, 2024-02-23): the tokenizer of " +
  "meta-llama/Llama-2-7b-hf (Llama 2 Community License may apply to the vocabulary)";
const LLAMA_CPP_MODELS = "https://raw.githubusercontent.com/ggml-org/llama.cpp/c392e5094deaf2d1a7c18683214f007fad3fe42b/models";
const LLAMA_CPP_SOURCE = "ggml-org/llama.cpp (MIT), models/ at commit c392e5094dea (master, 2025-02-20)";

export const FIXTURES: readonly Fixture[] = [
  // onnxruntime-genai's tiny Llama export
  {
    path: "fixtures/models/tiny-random-llama-fp16/genai_config.json", size: 1058,
    sha256: "64588355c3776be0bce053aa311e1719ee8f265ceb6e79daceeb6ba611833bb7",
    url: `${ORT_GENAI_TINY_LLAMA}/genai_config.json`, evidence: "identical-git-blob", source: ORT_GENAI_TINY_LLAMA_SOURCE,
  },
  {
    path: "fixtures/models/tiny-random-llama-fp16/model.onnx", size: 35909,
    sha256: "3d13c04efa19b6926f7b681b2f244c2b3fa984aa0bdd1f81ee6276d7e9996e91",
    url: `${ORT_GENAI_TINY_LLAMA}/model.onnx`, evidence: "identical-git-blob", source: ORT_GENAI_TINY_LLAMA_SOURCE,
  },
  {
    path: "fixtures/models/tiny-random-llama-fp16/model.onnx.data", size: 2130080,
    sha256: "de83a26356d47822412cbc6b56931ad513751714457133ac35b5d9e71f587610",
    url: `${ORT_GENAI_TINY_LLAMA}/model.onnx.data`, evidence: "identical-git-blob", source: ORT_GENAI_TINY_LLAMA_SOURCE,
  },
  {
    path: "fixtures/models/tiny-random-llama-fp16/special_tokens_map.json", size: 552,
    sha256: "4859e5dbde90e059988a0a2136d8df3f2773d4d2fc4c4543690028f0b2166e7f",
    url: `${ORT_GENAI_TINY_LLAMA}/special_tokens_map.json`, evidence: "identical-git-blob", source: ORT_GENAI_TINY_LLAMA_SOURCE,
  },
  {
    path: "fixtures/models/tiny-random-llama-fp16/tokenizer.json", size: 3619013,
    sha256: "d606f46a8aa6f29f0a0abdec7c3ffddefc9f9bfe26919532d209a0a850e25029",
    url: `${ORT_GENAI_TINY_LLAMA}/tokenizer.json`, evidence: "identical-git-blob", source: ORT_GENAI_TINY_LLAMA_SOURCE,
  },
  {
    path: "fixtures/models/tiny-random-llama-fp16/tokenizer_config.json", size: 1964,
    sha256: "4dff28fa324d39154f58abd7b1a99bcb928080d77d589d025e47b9e050673e7e",
    url: `${ORT_GENAI_TINY_LLAMA}/tokenizer_config.json`, evidence: "identical-git-blob", source: ORT_GENAI_TINY_LLAMA_SOURCE,
  },
  // real tokenizers
  {
    path: "fixtures/tokenizers/llama-2-7b-hf/tokenizer.json", size: 1842767,
    sha256: "bcd04f0eadf90287bd26e1a183ac487d8a141b09b06aecb7725bbdd343640f2e",
    url: `${ORT_GENAI_LLAMA2}/tokenizer.json`, evidence: "identical-git-blob", source: ORT_GENAI_LLAMA2_SOURCE,
  },
  {
    path: "fixtures/tokenizers/llama-2-7b-hf/tokenizer_config.json", size: 776,
    sha256: "f514e7c3008881b6ba7e6a0cdb44c71ce47dc335920dac143ae7bc788197e53a",
    url: `${ORT_GENAI_LLAMA2}/tokenizer_config.json`, evidence: "identical-git-blob", source: ORT_GENAI_LLAMA2_SOURCE,
  },
  {
    path: "fixtures/tokenizers/deepseek-r1-distill-qwen/tokenizer.json", size: 5212565,
    sha256: "c29fa58876e340ecb9568d738e23f8a10d299bcf9f41e549951b2c9d1fcf149a",
    evidence: "derived",
    source: "Qwen2 BPE vocabulary and merges (Apache-2.0) with the DeepSeek-R1 added tokens (MIT)",
    derivation: "Assembled from the Qwen2 vocab.json/merges.txt plus DeepSeek-R1-Distill-Qwen's 22 added tokens and a " +
      "post-processor that prepends BOS 151646; no public file has these bytes and the assembly was not recorded. " +
      "The tests check behaviour (llama.cpp's reference ids, special tokens, chat template), so the real tokenizer.json " +
      "of deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B placed at this path passes them too; it is not downloaded because " +
      "no digest of it could be pinned.",
  },
  {
    path: "fixtures/tokenizers/deepseek-r1-distill-qwen/tokenizer_config.json", size: 3071,
    sha256: "8ac8c85fb242563c2260baec0909debd69d718af6a0b3d90e6cab62b4d341cd5",
    url: "https://raw.githubusercontent.com/microsoft/onnxruntime-extensions/64c161676af14f4e1ddf40b31e58516bd3b006c5/test/data/deepseek/tokenizer_config.json",
    evidence: "identical-git-blob",
    source: "microsoft/onnxruntime-extensions (MIT), test/data/deepseek at commit 64c161676af1 (2025-04-02, reachable " +
      "from pull request #914): DeepSeek-R1-Distill-Qwen's tokenizer_config.json with its chat template",
  },
  // llama.cpp's reference ids (made there with the real Hugging Face tokenizers)
  {
    path: "fixtures/tokenizers/vectors/llama-spm.inp", size: 1944,
    sha256: "ef7a25a263fba141f64a8a842ceb1c572cdb8e1313f592d974f7a06bbd3a4934",
    url: `${LLAMA_CPP_MODELS}/ggml-vocab-llama-spm.gguf.inp`, evidence: "identical-git-blob", source: LLAMA_CPP_SOURCE,
  },
  {
    path: "fixtures/tokenizers/vectors/llama-spm.out", size: 2683,
    sha256: "ea602819af9f9af53a7af285a284ee810e70a4a14a5972e4c891ccd683488af5",
    url: `${LLAMA_CPP_MODELS}/ggml-vocab-llama-spm.gguf.out`, evidence: "identical-git-blob", source: LLAMA_CPP_SOURCE,
  },
  {
    path: "fixtures/tokenizers/vectors/deepseek-r1-qwen.inp", size: 1944,
    sha256: "ef7a25a263fba141f64a8a842ceb1c572cdb8e1313f592d974f7a06bbd3a4934",
    url: `${LLAMA_CPP_MODELS}/ggml-vocab-deepseek-r1-qwen.gguf.inp`, evidence: "identical-git-blob", source: LLAMA_CPP_SOURCE,
  },
  {
    path: "fixtures/tokenizers/vectors/deepseek-r1-qwen.out", size: 1762,
    sha256: "4fdf5ff70fcfbb819642b522a47b8f61522fa20d938fa7470a8497bc52773cd4",
    url: `${LLAMA_CPP_MODELS}/ggml-vocab-deepseek-r1-qwen.gguf.out`, evidence: "identical-git-blob", source: LLAMA_CPP_SOURCE,
  },
  // GGUF files
  {
    path: "fixtures/gguf/ggml-vocab-llama-spm.gguf", size: 723869,
    sha256: "16c3724582d59aa8bf84711894e833f916ee46a31d80e21312759c48bf8d0e69",
    url: `${LLAMA_CPP_MODELS}/ggml-vocab-llama-spm.gguf`, evidence: "identical-git-blob", source: LLAMA_CPP_SOURCE,
  },
  {
    path: "fixtures/gguf/stories260K.gguf", size: 1185376,
    sha256: "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
    url: "https://huggingface.co/ggml-org/models/resolve/499bc8821c6b12b4e53c5bffcb21ec206f212d81/tinyllamas/stories260K.gguf",
    evidence: "matches-public-pins",
    source: "karpathy/tinyllamas stories260K (MIT) converted by llama.cpp, as published in the Hugging Face repo " +
      "ggml-org/models (tinyllamas/stories260K.gguf at revision 499bc8821c6b)",
  },
  // datasets
  {
    path: "datasets/gsm8k/test.jsonl", size: 749738,
    sha256: "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14",
    url: "https://raw.githubusercontent.com/openai/grade-school-math/3101c7d5072418e28b9008a6636bde82a006892c/grade_school_math/data/test.jsonl",
    evidence: "identical-git-blob",
    source: "openai/grade-school-math (MIT), grade_school_math/data/test.jsonl at commit 3101c7d5072418 (master, 2021-11-19)",
  },
  {
    path: "datasets/alpaca/alpaca_5000.json", size: 2044701,
    sha256: "fc1add24c93c9fbbe585a64a6c9bf6165eb110225f4470efbff382a913558ec0",
    evidence: "derived",
    source: "tatsu-lab/stanford_alpaca alpaca_data.json (data licence CC BY-NC 4.0)",
    derivation: "A random 5,000-row sample of alpaca_data.json; the sampling rule (seed) was not recorded, so it cannot " +
      "be re-made. The tests accept the full file, datasets/alpaca/alpaca_data.json, in its place.",
  },
  {
    path: "datasets/alpaca/alpaca_data.json", size: null, sha256: null,
    gitBlobSha1: "3779ddbc040543ab1834ef216c983d6fcc06cc9a",
    url: "https://raw.githubusercontent.com/tatsu-lab/stanford_alpaca/761dc5bfbdeeffa89b8bff5d038781a4055f796a/alpaca_data.json",
    evidence: "git-blob-id",
    source: "tatsu-lab/stanford_alpaca (data licence CC BY-NC 4.0), alpaca_data.json at commit 761dc5bfbdee (main, 2023-05-29): " +
      "all 52,002 rows",
    standsInFor: "datasets/alpaca/alpaca_5000.json",
  },
];

/** The manifest entries at `relative` (a file) or under it (a folder); empty when the manifest names nothing there. */
export function fixturesAt(relative: string): Fixture[] {
  const clean = relative.replace(/\\/g, "/").replace(/\/+$/, "");
  return FIXTURES.filter((f) => f.path === clean || f.path.startsWith(clean + "/"));
}
