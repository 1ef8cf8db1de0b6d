/**
 * Byte range requests, RFC 9110 §14. Parsing is strict about syntax and generous about
 * meaning: a header we cannot parse is ignored (the whole file is sent, §14.2 allows that),
 * while a well-formed header whose ranges all miss the file is a 416.
 */

export interface ByteRange {
  /** First byte offset, inclusive. */
  start: number;
  /** Last byte offset, inclusive. */
  end: number;
}

export type RangeDecision =
  /** No Range header, or one we ignore: send the whole representation (200). */
  | { kind: 'whole' }
  /** Every range lies outside the file (416 with `Content-Range: bytes *\/size`). */
  | { kind: 'unsatisfiable' }
  /** One or more satisfiable ranges, in the client's order, clipped to the file. */
  | { kind: 'ranges'; ranges: ByteRange[] };

/**
 * More ranges than this, or ranges that overlap, make the request look like an amplification
 * attempt (one request asking for the same bytes many times); we answer those with the whole
 * file, which §14.2 permits.
 */
export const MAX_RANGES = 16;

const RANGE_SPEC = /^(\d*)-(\d*)$/;

/** Parses a `Range` header against a representation of `size` bytes (§14.1.2). */
export function parseRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'whole' };

  const equals = header.indexOf('=');
  if (equals < 0) return { kind: 'whole' };
  // §14.1: range units are case-insensitive; we only know `bytes`.
  if (header.slice(0, equals).trim().toLowerCase() !== 'bytes') return { kind: 'whole' };

  const specs = header.slice(equals + 1).split(',').map((spec) => spec.trim()).filter(Boolean);
  if (specs.length === 0) return { kind: 'whole' };

  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const match = RANGE_SPEC.exec(spec);
    if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' };
    const range = satisfiable(match[1], match[2], size);
    if (range === 'invalid') return { kind: 'whole' };
    if (range) ranges.push(range);
  }

  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  if (ranges.length > MAX_RANGES || overlapping(ranges)) return { kind: 'whole' };
  return { kind: 'ranges', ranges };
}

/**
 * One range-spec resolved against the size: a range, null when it lies outside the file, or
 * 'invalid' for a syntactically impossible one (last before first), which voids the header.
 */
function satisfiable(first: string, last: string, size: number): ByteRange | null | 'invalid' {
  if (first === '') {
    // suffix-range (§14.1.2): the last N bytes; N = 0 is unsatisfiable.
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return 'invalid';
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }

  const start = Number(first);
  if (!Number.isSafeInteger(start)) return 'invalid';
  if (last === '') return start < size ? { start, end: size - 1 } : null;

  const end = Number(last);
  if (!Number.isSafeInteger(end) || end < start) return 'invalid';
  if (start >= size) return null;
  return { start, end: Math.min(end, size - 1) };
}

function overlapping(ranges: ByteRange[]): boolean {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i].start <= sorted[i - 1].end) return true;
  }
  return false;
}

/** `Content-Range` for one part (§14.4). */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** `Content-Range` of a 416 (§15.5.17). */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

export function rangeLength(range: ByteRange): number {
  return range.end - range.start + 1;
}
