/**
 * Response bodies for file responses: the whole file, one byte range, or several ranges as
 * multipart/byteranges (RFC 9110 §14.6), from a buffer held in memory or read from an open
 * file handle in chunks.
 *
 * A handle-backed body reads exactly the bytes it announced. If the file shrinks underneath
 * (truncated while we send), the stream fails instead of ending short, so the connection is
 * closed and the client sees an incomplete transfer rather than a wrong, shorter body.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type ByteRange, contentRange, rangeLength } from './ranges';

export type BodyPayload = Buffer | Readable;

/** A piece of a response body: literal bytes (multipart headers) or a range of the file. */
type Span = Buffer | ByteRange;

/** One file's bytes; exactly one of its methods is called, once, per response. */
export interface BodySource {
  whole(size: number): BodyPayload;
  spans(spans: Span[]): BodyPayload;
}

export function bufferBody(buffer: Buffer): BodySource {
  const pick = (span: Span): Buffer =>
    Buffer.isBuffer(span) ? span : buffer.subarray(span.start, span.end + 1);
  return {
    whole: () => buffer,
    spans: (spans) => spans.length === 1 ? pick(spans[0]) : Buffer.concat(spans.map(pick)),
  };
}

export function fileBody(handle: FileHandle, chunkSize: number): BodySource {
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const stream = (spans: Span[]): Readable => {
    const readable = Readable.from(readSpans(handle, spans, chunkSize, close),
      { objectMode: false, highWaterMark: chunkSize });
    // A stream destroyed before its first read never enters the generator, so its `finally`
    // would not run: close on the stream's own end as well.
    readable.once('close', () => void close().catch(() => undefined));
    return readable;
  };
  return {
    whole: (size) => stream([{ start: 0, end: size - 1 }]),
    spans: stream,
  };
}

/**
 * Yields the spans in order and closes the handle at the end. The `finally` also runs when the
 * consumer destroys the stream mid-way (the client went away): Readable.from returns the
 * generator then, so no file handle outlives its response.
 */
async function* readSpans(handle: FileHandle, spans: Span[], chunkSize: number,
  close: () => Promise<void>): AsyncGenerator<Buffer> {
  try {
    for (const span of spans) {
      if (Buffer.isBuffer(span)) {
        yield span;
        continue;
      }
      let position = span.start;
      const end = span.end + 1;
      while (position < end) {
        const length = Math.min(chunkSize, end - position);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead === 0) throw new Error('the file became shorter while it was being sent');
        position += bytesRead;
        yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
      }
    }
  } finally {
    await close();
  }
}

export interface PartBody {
  stream: BodyPayload;
  length: number;
}

export function singleRangeBody(source: BodySource, range: ByteRange, size: number):
  PartBody & { contentRange: string } {
  return {
    stream: source.spans([range]),
    length: rangeLength(range),
    contentRange: contentRange(range, size),
  };
}

/**
 * multipart/byteranges, §14.6: each part has its own Content-Type and Content-Range; the
 * boundary is random so it cannot occur by design in a client-chosen file. The total length is
 * computed up front, so the response still carries an exact Content-Length.
 */
export function multipartBody(source: BodySource, ranges: ByteRange[], size: number,
  contentType: string): PartBody & { contentType: string } {
  const boundary = `gatehouse-${randomBytes(12).toString('hex')}`;
  const spans: Span[] = [];
  let length = 0;
  ranges.forEach((range, index) => {
    const head = Buffer.from(`${index === 0 ? '' : '\r\n'}--${boundary}\r\n` +
      `Content-Type: ${contentType}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`);
    spans.push(head, range);
    length += head.length + rangeLength(range);
  });
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  spans.push(tail);
  length += tail.length;

  return {
    stream: source.spans(spans),
    length,
    contentType: `multipart/byteranges; boundary=${boundary}`,
  };
}
