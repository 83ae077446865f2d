// Typed GGUF metadata entries: what the writer serializes and the reader returns, so a reader's
// entries (e.g. a tokenizer's) can be copied into a new file with their exact types.
import { GgufValueType } from "./constants.js";

export type GgufScalar = number | bigint | boolean | string;

export interface GgufScalarEntry {
  key: string;
  type: Exclude<GgufValueType, GgufValueType.ARRAY>;
  value: GgufScalar;
}

export interface GgufArrayEntry {
  key: string;
  type: GgufValueType.ARRAY;
  itemType: Exclude<GgufValueType, GgufValueType.ARRAY>;
  value: GgufScalar[];
}

export type GgufEntry = GgufScalarEntry | GgufArrayEntry;

export const u32 = (key: string, value: number): GgufEntry => ({ key, type: GgufValueType.UINT32, value });
export const i32 = (key: string, value: number): GgufEntry => ({ key, type: GgufValueType.INT32, value });
export const f32 = (key: string, value: number): GgufEntry => ({ key, type: GgufValueType.FLOAT32, value });
export const bool = (key: string, value: boolean): GgufEntry => ({ key, type: GgufValueType.BOOL, value });
export const str = (key: string, value: string): GgufEntry => ({ key, type: GgufValueType.STRING, value });
export const arr = (key: string, itemType: GgufArrayEntry["itemType"], value: GgufScalar[]): GgufEntry =>
  ({ key, type: GgufValueType.ARRAY, itemType, value });

/** Fixed byte size of scalar types; strings are variable. */
export const SCALAR_BYTES: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1, [GgufValueType.INT8]: 1, [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2, [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4, [GgufValueType.INT32]: 4, [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8, [GgufValueType.INT64]: 8, [GgufValueType.FLOAT64]: 8,
};

/** Looks an entry's value up by key; undefined when absent. */
export function metadataValue(entries: readonly GgufEntry[], key: string): GgufScalar | GgufScalar[] | undefined {
  return entries.find((e) => e.key === key)?.value;
}
