// The Jupyter messaging protocol's wire format (v5.3), client side:
// [routing ids…, "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers…], signed with HMAC-SHA256
// over header, parent_header, metadata and content.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const protocolVersion = "5.3";
const delimiter = Buffer.from("<IDS|MSG>");

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message<Content = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Content;
}

export function newHeader(msgType: string, session: string): MessageHeader {
  return { msg_id: randomUUID(), session, username: "wattlab", date: new Date().toISOString(), msg_type: msgType, version: protocolVersion };
}

function sign(key: string, parts: (string | Buffer)[]): string {
  const hmac = createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest("hex");
}

/** Frames for a Dealer socket (the kernel's Router adds and strips the routing id). */
export function encodeMessage(key: string, message: Message<object>): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part)),
  );
  return [delimiter, Buffer.from(sign(key, parts)), ...parts];
}

/** Parse and verify frames from any socket; identities (or a Subscriber topic) before the delimiter are skipped. */
export function decodeMessage(key: string, frames: Buffer[]): Message {
  const at = frames.findIndex((frame) => frame.equals(delimiter));
  if (at < 0) throw new Error("Jupyter message without the <IDS|MSG> delimiter");
  const [signature, ...parts] = frames.slice(at + 1);
  if (!signature || parts.length < 4) throw new Error(`Jupyter message with ${parts.length} parts after the signature; expected 4`);
  const expected = Buffer.from(sign(key, parts.slice(0, 4)));
  if (key && (signature.length !== expected.length || !timingSafeEqual(signature, expected))) {
    throw new Error("Jupyter message with a wrong HMAC signature (is the connection file's key the kernel's?)");
  }
  const [header, parent_header, metadata, content] = parts.slice(0, 4).map((part) => JSON.parse(part.toString("utf8")));
  return { header, parent_header, metadata, content };
}
