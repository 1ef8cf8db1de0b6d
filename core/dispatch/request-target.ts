/**
 * Splitting the request target into the parts dispatch needs: the site prefix (the mount, as
 * `WSGIScriptAlias /trac` gives), the environment segment under a parent dir, and the path
 * below it, both raw (percent-encoded) and decoded.
 */
import { Errors, GatehouseError } from '../errors';

export interface SplitTarget {
  /** Raw path after the site prefix, starting with '/' or empty. */
  rawRest: string;
  /** The query string without its `?`; parsed only when a handler reads it. */
  rawQuery: string;
}

export function normalizePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  const trimmed = prefix.trim().replace(/\/+$/, '');
  if (!trimmed) return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** Strips the site prefix; undefined when the path is not under it. */
export function splitTarget(url: string, sitePrefix: string): SplitTarget | undefined {
  let target = url;
  if (!target.startsWith('/')) {
    // absolute-form (RFC 9110 section 7.1): keep only the path and query.
    try {
      const parsed = new URL(target);
      target = `${parsed.pathname}${parsed.search}`;
    } catch {
      throw new GatehouseError(Errors.HTTP_BAD_REQUEST, { reason: 'the request target is not a path' });
    }
  }
  const queryAt = target.indexOf('?');
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : target.slice(queryAt + 1);
  if (sitePrefix && rawPath !== sitePrefix && !rawPath.startsWith(`${sitePrefix}/`)) return undefined;
  return { rawRest: sitePrefix ? rawPath.slice(sitePrefix.length) : rawPath, rawQuery };
}

/** Percent-decodes a path; malformed escapes are a 400, not a crash. */
export function decodePath(raw: string): string {
  // Most paths have nothing to decode (the HTTP parser already refuses a raw NUL).
  if (!raw.includes('%')) return raw;
  try {
    const decoded = decodeURIComponent(raw);
    if (decoded.includes('\0')) throw new Error('NUL');
    return decoded;
  } catch {
    throw new GatehouseError(Errors.HTTP_BAD_REQUEST, { reason: 'the request path has a malformed percent-escape or a NUL byte' });
  }
}

/** First segment of a raw path (`/alpha/x` -> `alpha`, rest `/x`). */
export function firstSegment(rawRest: string): { segment: string; rest: string } {
  const body = rawRest.startsWith('/') ? rawRest.slice(1) : rawRest;
  const slash = body.indexOf('/');
  if (slash < 0) return { segment: body, rest: '' };
  return { segment: body.slice(0, slash), rest: body.slice(slash) };
}

/**
 * A prefix (--base-path, X-Forwarded-Prefix) becomes part of every link, redirect, cookie path
 * and generated proxy snippet, so only plain path segments pass: no empty segment (`//evil.example`), no `.` or `..`, no reserved characters.
 */
export function isCleanPrefix(prefix: string): boolean {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed === '') return true;
  if (!trimmed.startsWith('/')) return false;
  return trimmed.slice(1).split('/').every((segment) =>
    segment !== '' && segment !== '.' && segment !== '..' && /^(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+$/.test(segment)
    && !/%(?:2[eEfF]|5[cC]|00)/.test(segment));
}

