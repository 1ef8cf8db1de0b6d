/**
 * Validators and conditional requests for files, RFC 9110 §8.8 and §13.
 *
 * The entity tag is strong and built from size, modification time and inode, the same facts a
 * cache entry is revalidated by: a file replaced or rewritten in place gets a new tag. Strong
 * tags are needed for `If-Range` (§13.1.5 only accepts strong comparison).
 */
import type { Stats } from 'node:fs';

export interface FileValidators {
  etag: string;
  /** IMF-fixdate of the modification time, whole seconds (§5.6.7). */
  lastModified: string;
  /** Modification time truncated to seconds, for date comparisons. */
  lastModifiedSeconds: number;
}

/** Strong ETag for a file; `suffix` distinguishes content-coded variants (`-br`). */
export function fileEtag(stat: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>, suffix = ''): string {
  const mtime = Math.floor(stat.mtimeMs * 1000).toString(36);
  return `"${stat.size.toString(36)}-${mtime}-${stat.ino.toString(36)}${suffix}"`;
}

export function fileValidators(stat: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>,
  suffix = ''): FileValidators {
  const seconds = Math.floor(stat.mtimeMs / 1000);
  return {
    etag: fileEtag(stat, suffix),
    lastModified: new Date(seconds * 1000).toUTCString(),
    lastModifiedSeconds: seconds,
  };
}

/** Splits an If-Match / If-None-Match list into entity tags (`*` stays as is). */
function entityTags(header: string): string[] {
  return header.match(/\*|(?:W\/)?"[^"]*"/g) ?? [];
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** §8.8.3.2: strong comparison needs both tags strong and equal. */
function strongMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

/** §8.8.3.2: weak comparison ignores the weakness flag. */
function weakMatch(a: string, b: string): boolean {
  return opaque(a) === opaque(b);
}

/** An HTTP-date in seconds, or undefined when the header is not a valid date (then ignored). */
function httpDateSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : Math.floor(millis / 1000);
}

export type PreconditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Evaluates the preconditions of a GET or HEAD in the order of §13.2.2: If-Match, then
 * If-Unmodified-Since when If-Match is absent, then If-None-Match, then If-Modified-Since when
 * If-None-Match is absent.
 */
export function evaluatePreconditions(headers: Headers,
  validators: FileValidators): PreconditionOutcome {
  const ifMatch = header(headers, 'if-match');
  if (ifMatch !== undefined) {
    const tags = entityTags(ifMatch);
    if (!tags.some((tag) => tag === '*' || strongMatch(tag, validators.etag))) {
      return 'precondition-failed';
    }
  } else {
    const since = httpDateSeconds(header(headers, 'if-unmodified-since'));
    if (since !== undefined && validators.lastModifiedSeconds > since) return 'precondition-failed';
  }

  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    const tags = entityTags(ifNoneMatch);
    if (tags.some((tag) => tag === '*' || weakMatch(tag, validators.etag))) return 'not-modified';
    return 'proceed';
  }

  const since = httpDateSeconds(header(headers, 'if-modified-since'));
  if (since !== undefined && validators.lastModifiedSeconds <= since) return 'not-modified';
  return 'proceed';
}

/**
 * §13.1.5: a Range is honoured only when If-Range is absent or still names this representation
 * (a strong ETag match, or a date equal to Last-Modified); otherwise the whole file is sent.
 */
export function ifRangeAllowsRange(headers: Headers, validators: FileValidators): boolean {
  const ifRange = header(headers, 'if-range');
  if (ifRange === undefined) return true;

  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return strongMatch(value, validators.etag);
  const date = httpDateSeconds(value);
  return date !== undefined && date === validators.lastModifiedSeconds;
}
