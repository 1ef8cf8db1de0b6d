/**
 * A parent dir's environments: sub-folders holding conf/trac.ini, except dot-folders and those
 * matching a glob pattern in the parent's `.tracignore` (one pattern a line, as in Trac).
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** fnmatch-style pattern (`*`, `?`, `[abc]`, `[!abc]`) to a whole-string RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) source += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        const negate = body.startsWith('!');
        if (negate) body = body.slice(1);
        source += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

async function ignorePatterns(parentDir: string): Promise<RegExp[]> {
  try {
    const text = await fs.readFile(path.join(parentDir, '.tracignore'), 'utf8');
    return text.split(/\r?\n/).map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#')).map(globToRegExp);
  } catch {
    return [];
  }
}

/** Whether `name` is a listable, servable environment folder of `parentDir`. */
export async function isEnvironmentName(parentDir: string, name: string): Promise<boolean> {
  if (!name || name.startsWith('.') || name.includes('/') || name.includes('\\') || name.includes('\0')) return false;
  const patterns = await ignorePatterns(parentDir);
  if (patterns.some((pattern) => pattern.test(name))) return false;
  const stat = await fs.stat(path.join(parentDir, name, 'conf', 'trac.ini')).catch(() => undefined);
  return !!stat?.isFile();
}

/** How long an answer of isEnvironmentName is reused: the same as trac.ini change checks. */
const NAME_CHECK_INTERVAL_MS = 250;
/** Answers remembered at most; a scan of random names empties the memory rather than grow it. */
const MAX_REMEMBERED_NAMES = 1000;

/**
 * isEnvironmentName for one parent dir, remembered for a quarter second: every request under a
 * parent dir asks, and the answer costs a read of `.tracignore` and a stat. A folder created or
 * removed is seen within that time, as a trac.ini change is.
 */
export class EnvironmentNames {
  private readonly answers = new Map<string, { isEnvironment: boolean; at: number }>();

  constructor(readonly parentDir: string) {}

  /** The remembered answer, or undefined when `check` must look. */
  known(name: string): boolean | undefined {
    const answer = this.answers.get(name);
    return answer && Date.now() - answer.at < NAME_CHECK_INTERVAL_MS ? answer.isEnvironment : undefined;
  }

  async check(name: string): Promise<boolean> {
    const isEnvironment = await isEnvironmentName(this.parentDir, name);
    if (this.answers.size >= MAX_REMEMBERED_NAMES) this.answers.clear();
    this.answers.set(name, { isEnvironment, at: Date.now() });
    return isEnvironment;
  }
}

export async function listEnvironmentNames(parentDir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(parentDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const patterns = await ignorePatterns(parentDir);
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || patterns.some((pattern) => pattern.test(entry.name))) continue;
    if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
    const ini = await fs.stat(path.join(parentDir, entry.name, 'conf', 'trac.ini')).catch(() => undefined);
    if (ini?.isFile()) names.push(entry.name);
  }
  return names.sort((a, b) => a.localeCompare(b));
}
