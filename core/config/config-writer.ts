/**
 * Changing one key of a trac.ini on disk. The new text goes to a temporary file in the same
 * folder, is flushed to disk and then renamed over the original, so a server reading the file
 * at any moment sees either the old or the new contents, never half of one. The original's
 * permission bits (and owner, where allowed) carry over; a symbolic link is followed and its
 * target replaced, so the link stays a link.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { GatehouseError, defineError } from '../errors';
import { IniDocument } from './ini-document';
import { decodeIniBytes, unreadable } from './ini-file';

export const CONFIG_WRITE = defineError('GH_ERR_CONFIG_WRITE', 500,
  'cannot write configuration file {file}: {reason}');

/** How often an edit is redone when another process changed the file while we worked. */
const ATTEMPTS = 5;

/** Edits of one file from this process run one after another, so none is lost. */
const queues = new Map<string, Promise<unknown>>();

function serialize<T>(file: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.catch(() => undefined);
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return next;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

async function syncFolder(folder: string): Promise<void> {
  // Makes the rename itself durable; some platforms cannot open a folder, which is harmless.
  try {
    const handle = await fs.open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    return;
  }
}

async function writeReplacement(target: string, text: string, original: Stats): Promise<string> {
  const folder = path.dirname(target);
  const temporary = path.join(folder,
    `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = original.mode & 0o7777;
  const handle = await fs.open(temporary, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.chmod(mode);
    if (typeof process.getuid === 'function' &&
        (original.uid !== process.getuid() || original.gid !== process.getgid?.())) {
      await handle.chown(original.uid, original.gid).catch(() => undefined);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temporary;
}

/**
 * Applies `change` to the document read from `iniPath` and writes the result atomically.
 * Returns what `change` returned; nothing is written when the text comes out the same.
 */
export async function editConfigFile<T>(iniPath: string, change: (document: IniDocument) => T): Promise<T> {
  let target: string;
  try {
    target = await fs.realpath(iniPath);
  } catch (error) {
    throw unreadable(iniPath, error);
  }
  return serialize(target, () => editAtomically(iniPath, target, change));
}

async function editAtomically<T>(iniPath: string, target: string, change: (document: IniDocument) => T): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    let before: Stats;
    let text: string;
    try {
      before = await fs.stat(target);
      text = decodeIniBytes(await fs.readFile(target), iniPath);
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      throw unreadable(iniPath, error);
    }
    const document = IniDocument.parse(text, iniPath);
    const result = change(document);
    const updated = document.toString();
    if (updated === text) return result;

    let temporary: string | undefined;
    try {
      temporary = await writeReplacement(target, updated, before);
      const now = await fs.stat(target);
      if (!sameFile(before, now) && attempt < ATTEMPTS) {
        await fs.unlink(temporary);
        continue;
      }
      await fs.rename(temporary, target);
    } catch (error) {
      if (temporary) await fs.unlink(temporary).catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new GatehouseError(CONFIG_WRITE, { file: iniPath, reason }, { cause: error });
    }
    await syncFolder(path.dirname(target));
    return result;
  }
}

/** Sets `[section] key = value` in the file, keeping every other line as it was. */
export async function setConfigValue(iniPath: string, section: string, key: string, value: string): Promise<void> {
  await editConfigFile(iniPath, (document) => document.set(section, key, value));
}

/** Removes the key from the file; returns whether the file set it. */
export async function removeConfigValue(iniPath: string, section: string, key: string): Promise<boolean> {
  return editConfigFile(iniPath, (document) => document.remove(section, key));
}
