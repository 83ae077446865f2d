/** An error as the sweep's one-line messages quote it: "OutOfMemoryError: …", or just the message for a plain Error. */
export function errorText(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  return `${e.name && e.name !== "Error" ? e.name + ": " : ""}${e.message}`;
}
