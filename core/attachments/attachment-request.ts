/**
 * Reading an attachment URL: `/attachment/<realm>/<id...>/<filename>`, `/raw-attachment/...`.
 * Ids may contain slashes (wiki page `Foo/Bar`), so the realm is the first segment, the file
 * name the last, and the id everything between. An empty file name (a trailing slash) means
 * the resource's list. Segments are decoded one at a time from the raw path, so an encoded
 * slash stays inside its segment.
 */
import { GatehouseError } from '../errors';
import { FileErrors } from '../files/errors';
import { checkRealm } from './attachment-path';
import type { ResourceRef } from './resource';

export type AttachmentUrlKind = 'attachment' | 'raw-attachment';

export interface AttachmentTarget {
  kind: AttachmentUrlKind;
  ref: ResourceRef;
  /** '' for the list of the resource's attachments. */
  filename: string;
}

const PREFIXES: Array<[string, AttachmentUrlKind]> = [
  ['/attachment/', 'attachment'], ['/raw-attachment/', 'raw-attachment'],
];

export function matchesAttachmentPath(pathInfo: string): boolean {
  return PREFIXES.some(([prefix]) => pathInfo.startsWith(prefix));
}

function notFound(path: string): GatehouseError {
  return new GatehouseError(FileErrors.NOT_FOUND, { path });
}

/** Parses the raw (encoded) path; undefined when it names no resource (a 404 for the caller). */
export function parseAttachmentPath(rawPath: string): AttachmentTarget | undefined {
  const match = PREFIXES.find(([prefix]) => rawPath.startsWith(prefix));
  if (!match) return undefined;
  const [prefix, kind] = match;

  let segments: string[];
  try {
    segments = rawPath.slice(prefix.length).split('/').map((part) => decodeURIComponent(part));
  } catch {
    throw new GatehouseError(FileErrors.BAD_PATH, { reason: 'the path is not valid percent-encoded UTF-8' });
  }
  if (segments.length < 3) return undefined;

  const realm = segments[0];
  const filename = segments[segments.length - 1];
  const id = segments.slice(1, -1).join('/');
  if (id === '' || filename.includes('/') || filename.includes('\\')) return undefined;
  try {
    checkRealm(realm);
  } catch {
    return undefined;
  }
  return { kind, ref: { realm, id }, filename };
}

export function requireAttachmentTarget(rawPath: string): AttachmentTarget {
  const target = parseAttachmentPath(rawPath);
  if (!target) throw notFound(rawPath);
  return target;
}
