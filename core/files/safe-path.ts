/**
 * Maps a client's path (still percent-encoded, as sent) to a file inside a served folder, and
 * refuses every way out of it.
 *
 * Working on the raw path matters: once decoded, `%2f` inside a segment and a real `/` look the
 * same, and `%252e` would become `%2e` that a second decoder turns into a dot. So the raw text is
 * checked first, then each segment is decoded exactly once, then the joined path is checked
 * against the root lexically and, after following symlinks, physically.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { GatehouseError } from '../errors';
import { FileErrors } from './errors';

/** Raw-text patterns refused outright (400), with the reason shown to the client. */
const REFUSED_RAW: Array<[RegExp, string]> = [
  [/%2f/i, 'an encoded slash'],
  [/%5c/i, 'an encoded backslash'],
  [/\\/, 'a backslash'],
  [/%00|\0/i, 'a NUL byte'],
  [/%25/, 'double percent-encoding'],
  [/%2e/i, 'an encoded dot'],
];

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function refuse(reason: string): GatehouseError {
  return new GatehouseError(FileErrors.BAD_PATH, { reason });
}

function notFound(rawSubPath: string): GatehouseError {
  return new GatehouseError(FileErrors.NOT_FOUND, { path: rawSubPath });
}

/**
 * Checks a raw sub-path (`css/gatehouse.css`, no leading slash needed) and returns its decoded
 * segments. Throws GH_ERR_FILES_BAD_PATH (400) for encoded separators, dots, NUL and double
 * encoding, and GH_ERR_FILES_NOT_FOUND (404) for dot segments and dotfiles, which we never
 * serve (`.htpasswd`, `.git`).
 */
export function safeSegments(rawSubPath: string): string[] {
  for (const [pattern, reason] of REFUSED_RAW) {
    if (pattern.test(rawSubPath)) throw refuse(`the path contains ${reason}`);
  }

  const rawSegments = rawSubPath.split('/');
  if (rawSegments[0] === '') rawSegments.shift();
  if (rawSegments.length === 0) throw notFound(rawSubPath);

  return rawSegments.map((raw) => {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw refuse('the path is not valid percent-encoded UTF-8');
    }
    if (CONTROL_CHARACTERS.test(segment)) throw refuse('the path contains a control character');
    // Empty segments (`a//b`), `.`, `..` and every dotfile are simply not there.
    if (segment === '' || segment.startsWith('.')) throw notFound(rawSubPath);
    return segment;
  });
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Whether any part of the path below the root names a dotfile (a symlink may lead to one). */
function hasDotSegment(root: string, candidate: string): boolean {
  return path.relative(root, candidate).split(path.sep).some((part) => part.startsWith('.'));
}

/**
 * Resolves a raw sub-path under `root` to the real path of a regular file inside it. Symlinks
 * are followed only as long as their target stays inside the root's real path; one that points
 * out is a 404, as is anything that is not a regular file.
 */
export async function resolveSafePath(root: string, rawSubPath: string): Promise<string> {
  const segments = safeSegments(rawSubPath);
  const lexical = path.join(root, ...segments);
  if (!isInside(root, lexical)) throw notFound(rawSubPath);

  let realRoot: string;
  let realFile: string;
  try {
    [realRoot, realFile] = await Promise.all([fs.realpath(root), fs.realpath(lexical)]);
  } catch {
    throw notFound(rawSubPath);
  }
  if (!isInside(realRoot, realFile) || hasDotSegment(realRoot, realFile)) {
    throw notFound(rawSubPath);
  }

  return realFile;
}
