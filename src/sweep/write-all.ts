import { writeSync } from "node:fs";

/** Writes all of `text` to `fd` (writeSync may write less than asked). */
export function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
