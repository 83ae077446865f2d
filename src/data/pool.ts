// Which texts a dataset name stands for in one sweep or notebook: the real file, or, when the file can be
// neither found nor downloaded and the caller allows it, the synthetic look-alike, with the reason kept so
// every row and summary can say which dataset was asked for and which one ran.
import { DatasetNotFoundError, loadPromptTexts, type DatasetOptions } from "./datasets.js";
import { isStyledDataset, isTextDataset, LOOKALIKE, type DatasetName } from "./names.js";
import { styledTexts } from "./styled.js";

export interface PromptPool {
  requested: DatasetName;
  /** What the prompts really come from. */
  used: DatasetName;
  /** The texts to fit prompts from; null for `synthetic` (random ids, drawn per tokenizer). */
  texts: string[] | null;
  /** Why `used` differs from `requested`; null when it does not. */
  fallbackReason: string | null;
  /** Set when the dataset cannot be had and no fallback was allowed: runs of it fail with this. */
  error: Error | null;
}

export interface PoolOptions {
  /** Measure the look-alike when a file dataset is missing (built-in sweeps, notebooks, the main job). */
  fallback: boolean;
  datasets?: DatasetOptions;
}

export async function resolvePromptPool(requested: DatasetName, options: PoolOptions): Promise<PromptPool> {
  const pool = (used: DatasetName, texts: string[] | null, fallbackReason: string | null = null): PromptPool =>
    ({ requested, used, texts, fallbackReason, error: null });
  if (isStyledDataset(requested)) return pool(requested, styledTexts(requested));
  if (!isTextDataset(requested)) return pool(requested, null);
  try {
    return pool(requested, await loadPromptTexts(requested, options.datasets));
  } catch (error) {
    if (!(error instanceof DatasetNotFoundError)) throw error; // a malformed file is the user's to fix, never papered over
    if (!options.fallback) return { requested, used: requested, texts: null, fallbackReason: null, error };
    const used = LOOKALIKE[requested];
    return pool(used, styledTexts(used), error.message);
  }
}

/** One line for a terminal or a notebook: "alpaca → synthetic-instruct (alpaca dataset not found: …)". */
export function describeFallback(p: PromptPool): string | null {
  return p.fallbackReason ? `dataset ${p.requested} → ${p.used}: ${p.fallbackReason}` : null;
}
