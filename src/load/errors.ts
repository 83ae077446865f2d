// A failed request's reason as one line: read from the server's error JSON where it sent one, from the socket's
// error code where it never answered; the API key struck out of anything a server echoed back.

const MAX_REASON_CHARS = 200;

/** The first non-empty line of `text`, trimmed and cut at `max` characters (an ellipsis says it was cut). */
export function oneLine(text: string, max = MAX_REASON_CHARS): string {
  const line = text.split(/\r\n|\r|\n/).map((l) => l.trim()).find((l) => l !== "") ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The message of an OpenAI-style error (`{error: {message}}`, `{error: "…"}`, `{message}`, `{detail}`), or null. */
export function errorMessageOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  for (const key of ["error", "message", "detail", "msg"]) {
    if (v[key] === undefined) continue;
    const inner = Array.isArray(v[key]) ? (v[key] as unknown[])[0] : v[key];
    const found = errorMessageOf(inner);
    if (found) return found;
  }
  return null;
}

/** "HTTP 500: <the server's message>" from a response body (JSON or text). */
export function httpErrorReason(status: number, statusText: string, body: string): string {
  let message: string | null = null;
  try {
    message = errorMessageOf(JSON.parse(body));
  } catch {
    message = body;
  }
  const line = oneLine(message ?? body) || statusText || "no message";
  return `HTTP ${status}: ${line}`;
}

const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

/** Why fetch() threw before a response came: "connection refused: connect ECONNREFUSED 127.0.0.1:9", … */
export function fetchFailureReason(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const source = (cause && typeof cause === "object" ? cause : error) as { code?: string; message?: string };
  const message = oneLine(String(source?.message ?? error));
  const kind = source?.code ? CONNECT_CODES[source.code] : undefined;
  return kind ? `${kind}: ${message}` : `request failed: ${message}`;
}

/** The kind of a failure, for counting: "HTTP 500", "stream cut", "timed out", "too many tokens", … */
export function failureKind(reason: string): string {
  const http = /^HTTP \d+/.exec(reason);
  if (http) return http[0];
  if (reason.startsWith("server returned")) return "too many tokens";
  const head = /^[^:0-9]*/.exec(reason)![0].replace(/\s+(after|for|in)\s*$/, "").trim();
  return head || "other";
}

/** `text` with every occurrence of `secret` replaced (a server may echo the key it refused). */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("[api key]") : text;
}
