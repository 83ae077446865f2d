// CUDA_VISIBLE_DEVICES → NVML indices, so a run counts only the GPUs it uses.
// CUDA's rules: unset = all; "" = none; a comma list that stops at the first invalid entry (e.g. "-1");
// entries are indices or (prefixes of) GPU UUIDs. NVML orders by PCI bus id; CUDA does too when
// CUDA_DEVICE_ORDER=PCI_BUS_ID, and its default "fastest first" order agrees on machines of identical GPUs.

export type VisibleEntry = { kind: "index"; index: number } | { kind: "uuid"; prefix: string } | { kind: "mig"; id: string };

/** "all" when unset; else the valid entries in order, cut at the first invalid one, as CUDA does. */
export function parseCudaVisibleDevices(value: string | undefined): VisibleEntry[] | "all" {
  if (value === undefined) return "all";
  const entries: VisibleEntry[] = [];
  for (const raw of value.split(",")) {
    const item = raw.trim();
    if (/^\d+$/.test(item)) entries.push({ kind: "index", index: Number(item) });
    else if (/^GPU-[0-9a-fA-F-]+$/.test(item)) entries.push({ kind: "uuid", prefix: item.toLowerCase() });
    else if (/^MIG-/.test(item)) entries.push({ kind: "mig", id: item });
    else break;
  }
  return entries;
}

export interface VisibleSelection {
  /** NVML indices, in CUDA order, without duplicates. */
  indices: number[];
  /** Why entries were dropped, for describe(). */
  notes: string[];
}

/**
 * Maps parsed entries onto NVML indices. `uuidOf(i)` is asked lazily, only when a UUID entry needs it.
 * Like CUDA, an entry that matches nothing ends the list.
 */
export function selectVisible(entries: VisibleEntry[] | "all", count: number, uuidOf: (index: number) => string): VisibleSelection {
  if (entries === "all") return { indices: Array.from({ length: count }, (_, i) => i), notes: [] };
  const indices: number[] = [];
  const notes: string[] = [];
  let uuids: string[] | null = null;
  for (const entry of entries) {
    let index = -1;
    if (entry.kind === "index") {
      index = entry.index < count ? entry.index : -1;
      if (index < 0) notes.push(`CUDA_VISIBLE_DEVICES entry ${entry.index} is not below the GPU count ${count}; later entries ignored, as CUDA does`);
    } else if (entry.kind === "uuid") {
      uuids ??= Array.from({ length: count }, (_, i) => uuidOf(i).toLowerCase());
      const matches = uuids.flatMap((uuid, i) => (uuid.startsWith(entry.prefix) ? [i] : []));
      index = matches.length === 1 ? matches[0] : -1;
      if (index < 0) notes.push(`CUDA_VISIBLE_DEVICES entry ${entry.prefix} matches ${matches.length} GPUs (need exactly one); later entries ignored`);
    } else {
      notes.push(`CUDA_VISIBLE_DEVICES entry ${entry.id} is a MIG instance: wattlab meters whole GPUs; list the parent GPU's index instead`);
    }
    if (index < 0) break;
    if (!indices.includes(index)) indices.push(index);
  }
  return { indices, notes };
}
