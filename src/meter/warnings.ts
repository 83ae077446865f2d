// Each distinct warning once per process: a notebook opening ten meters should not print ten RAPL lines.
const seen = new Set<string>();

export function warnOnce(message: string, sink: (message: string) => void): void {
  if (seen.has(message)) return;
  seen.add(message);
  sink(message);
}
