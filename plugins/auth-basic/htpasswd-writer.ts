/**
 * Changing one user's line of an htpasswd file the way a running server (ours or Apache) never
 * sees half a file: the new content goes to a temporary file beside the old one, with the same
 * mode, is flushed to disk, and is renamed over it. Every other line (comments, other users,
 * their order, the line ending) stays as it was.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { defineError, GatehouseError } from '../../core/errors';
import { isSkippedLine, splitEntry, trimLine } from './htpasswd-parser';

export const HTPASSWD_WRITE_FAILED = defineError('GH_ERR_AUTH_BASIC_WRITE_FAILED', 500,
  'cannot write the htpasswd file {file}: {reason}');

/** Mode of a file we create: owner reads and writes, group reads (Apache's group, say). */
const NEW_FILE_MODE = 0o640;

/**
 * Writes within this process are serialised per file, since one file can serve several
 * environments. (This map is about files on disk, not about any one environment.)
 */
const writeQueues = new Map<string, Promise<unknown>>();

export type LineChange =
  /** Replace the user's line (or add one at the end) with this hash. */
  | { kind: 'set'; user: string; hash: string }
  | { kind: 'delete'; user: string };

export interface ChangeOutcome {
  /** Whether the user had a line before. */
  existed: boolean;
}

function applyChange(text: string, change: LineChange): { text: string; existed: boolean } {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  // A final newline leaves an empty last element: keep it out of the edit, put it back after.
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();

  let existed = false;
  const kept: string[] = [];
  for (const line of lines) {
    const trimmed = trimLine(line);
    const entry = isSkippedLine(trimmed) ? null : splitEntry(trimmed);
    if (entry?.user !== change.user) {
      kept.push(line);
      continue;
    }
    // The first line of the user gets the new hash; later ones (dead duplicates) go, so that
    // deleting the first can never bring an old password back to life.
    if (!existed && change.kind === 'set') kept.push(`${change.user}:${change.hash}`);
    existed = true;
  }
  if (!existed && change.kind === 'set') kept.push(`${change.user}:${change.hash}`);

  return { text: kept.length === 0 ? '' : kept.join(newline) + newline, existed };
}

async function readExisting(file: string, create: boolean) {
  try {
    const [text, stats] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { text, stats };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && create) return { text: '', stats: undefined };
    throw error;
  }
}

async function writeAtomically(file: string, text: string, stats: import('node:fs').Stats | undefined) {
  const temporary = path.join(path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = stats ? stats.mode & 0o7777 : NEW_FILE_MODE;
  const handle = await fs.open(temporary, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    // open() applies the umask; chmod gives the old file's exact mode back.
    await handle.chmod(mode);
    if (stats && process.getuid?.() === 0) {
      await handle.chown(stats.uid, stats.gid).catch(() => undefined);
    }
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Applies `change` to `file`. With `create`, a missing file is made (mode 0640). Throws
 * GH_ERR_AUTH_BASIC_WRITE_FAILED naming the file and the OS error.
 */
export async function changeHtpasswdFile(file: string, change: LineChange,
  options: { create: boolean }): Promise<ChangeOutcome> {
  const previous = writeQueues.get(file) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    try {
      const { text, stats } = await readExisting(file, options.create);
      const next = applyChange(text, change);
      if (next.existed || change.kind === 'set') await writeAtomically(file, next.text, stats);
      return { existed: next.existed };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new GatehouseError(HTPASSWD_WRITE_FAILED, { file, reason }, { cause: error });
    }
  });
  writeQueues.set(file, run);
  void run.finally(() => {
    if (writeQueues.get(file) === run) writeQueues.delete(file);
  }).catch(() => undefined);
  return run;
}
