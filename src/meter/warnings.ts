// Each distinct warning once per process: a notebook opening ten meters should not print ten RAPL lines.
const seen = new Set<string>();

export function warnOnce(message: string, sink: (message: string) => void): void {
  if (seen.has(message)) return;
  seen.add(message);
  sink(message);
}

/**
 * The line printed for a warning when no onWarning sink is given: long ones shortened to what happened, with
 * `wattlab info` for the reason and the fix (the full text stays in the meter's description).
 */
export function conciseWarning(message: string): string {
  if (message.startsWith("RAPL unavailable")) {
    return "CPU energy is estimated here (no readable RAPL counter); `wattlab info` says why and how to measure it";
  }
  return message;
}
