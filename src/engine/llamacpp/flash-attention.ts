// wattlab's flash-attention setting (auto | on | off) as node-llama-cpp's createContext takes it.
import type { FlashAttention } from "../types.js";

/** node-llama-cpp's form of the setting; undefined keeps its default ("auto": on where the backend supports it). */
export function nlcFlashAttention(setting: FlashAttention | undefined): "auto" | boolean | undefined {
  return setting === undefined ? undefined : setting === "auto" ? "auto" : setting === "on";
}
