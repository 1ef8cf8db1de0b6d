/**
 * What a raw attachment is sent as. Types a browser would run on our origin (HTML, SVG, XML,
 * JavaScript) become downloads with a sandboxing Content-Security-Policy unless
 * `[attachment] render_unsafe_content` is on; text gets `charset=utf-8` when its first bytes
 * are valid UTF-8, so browsers do not guess.
 */
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs/promises';
import type { SendFileOptions } from '../files/send-file';
import { isActiveContent, isTextual, mediaTypeFor } from '../files/mime';

const SNIFF_BYTES = 8192;

/** Up to `limit` leading bytes of a file. */
export async function readHead(filePath: string, limit: number): Promise<Buffer> {
  const handle = await fs.open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Valid UTF-8, allowing a character cut off at the end of a partial read. */
export function looksUtf8(head: Buffer, complete: boolean): boolean {
  if (isUtf8(head)) return true;
  if (complete) return false;
  for (let cut = 1; cut <= 3 && cut < head.length; cut += 1) {
    if (isUtf8(head.subarray(0, head.length - cut))) return true;
  }
  return false;
}

export async function rawSendOptions(filePath: string, filename: string,
  options: { renderUnsafe: boolean; asText: boolean }): Promise<SendFileOptions> {
  const mediaType = options.asText ? 'text/plain' : mediaTypeFor(filename);
  let contentType = mediaType;
  if (isTextual(mediaType)) {
    const head = await readHead(filePath, SNIFF_BYTES).catch(() => Buffer.alloc(0));
    if (looksUtf8(head, head.length < SNIFF_BYTES)) contentType = `${mediaType}; charset=utf-8`;
  }

  const unsafe = isActiveContent(mediaType) && !options.renderUnsafe;
  return {
    contentType,
    disposition: unsafe ? 'attachment' : 'inline',
    downloadName: filename,
    // Attachments are behind permissions: caches may keep them only for this user, and must ask
    // again each time (a cheap 304) so revoked access takes effect.
    cacheControl: 'private, no-cache',
    headers: unsafe ? { 'content-security-policy': "sandbox; default-src 'none'" } : {},
  };
}
