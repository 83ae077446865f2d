// Dataset names, as written in specs, CLI flags and result columns.

/**
 * `alpaca` and `gsm8k`: the study's datasets, read from files the user provides (or downloads once).
 * `synthetic`: random token ids decoded to text (ML.ENERGY's fixed-length inputs).
 * `synthetic-instruct` / `synthetic-math`: text written by wattlab from its own word lists in the shape of
 * Alpaca's instructions and GSM8K's word problems; what a sweep measures when the real files are absent.
 */
export const DATASETS = ["alpaca", "gsm8k", "synthetic", "synthetic-instruct", "synthetic-math"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** The datasets read from files. */
export type TextDatasetName = "alpaca" | "gsm8k";
export type StyledDatasetName = "synthetic-instruct" | "synthetic-math";

/** The look-alike measured in place of a file dataset that cannot be found or downloaded. */
export const LOOKALIKE: Readonly<Record<TextDatasetName, StyledDatasetName>> = {
  alpaca: "synthetic-instruct",
  gsm8k: "synthetic-math",
};

export function isTextDataset(name: string): name is TextDatasetName {
  return name === "alpaca" || name === "gsm8k";
}

export function isStyledDataset(name: string): name is StyledDatasetName {
  return name === "synthetic-instruct" || name === "synthetic-math";
}
