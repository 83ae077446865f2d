// Datasets and prompts: the curated entry point of src/data.
export {
  alpacaPrompt, datasetCandidates, datasetPath, DatasetNotFoundError, gsm8kPrompt, loadAlpaca, loadGsm8k,
  loadPromptTexts, resolveDatasetPath,
} from "./datasets.js";
export type { AlpacaRecord, DatasetOptions, Gsm8kRecord, TextDatasetName } from "./datasets.js";
export { chatTemplateParts, promptsFor, promptsFromTexts, syntheticPrompts } from "./prompts.js";
export type { PromptOptions, PromptTokenizer } from "./prompts.js";
export { syntheticTexts } from "./synthetic.js";
export type { SyntheticOptions, SyntheticTokenizer } from "./synthetic.js";
export { exactLengthIds } from "./exact-length.js";
export type { ExactLengthTokenizer } from "./exact-length.js";
export { DATASETS, LOOKALIKE, isStyledDataset, isTextDataset } from "./names.js";
export type { DatasetName, StyledDatasetName } from "./names.js";
export { styledTexts } from "./styled.js";
export { describeFallback, resolvePromptPool } from "./pool.js";
export type { PromptPool, PoolOptions } from "./pool.js";
