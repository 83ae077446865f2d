// What a server says of the model it serves: its entry in GET /v1/models (OpenAI's shape; wattlab serve adds engine,
// device, weights and batching; vLLM adds max_model_len). Best effort: a server without the route, or one that does
// not answer in time, gives null and the load goes on.
import { v1Root } from "./request.js";

/** The `data` entry whose id is `model`, or null. The API key goes only into the request's header. */
export async function fetchModelCard(endpoint: string, model: string, options: { apiKey?: string; timeoutS?: number; fetchImpl?: typeof fetch } = {}):
  Promise<Record<string, unknown> | null> {
  const url = `${v1Root(endpoint)}/models`;
  try {
    const response = await (options.fetchImpl ?? fetch)(url, {
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      signal: AbortSignal.timeout((options.timeoutS ?? 5) * 1000),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { data?: unknown };
    const entries = Array.isArray(body.data) ? (body.data as Record<string, unknown>[]) : [];
    return entries.find((e) => e && e.id === model) ?? null;
  } catch {
    return null;
  }
}
