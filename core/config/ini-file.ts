/**
 * Reading a trac.ini from disk. Trac reads its files as UTF-8; bytes that are not UTF-8 are
 * refused with the line they are on, rather than silently replaced, so that a later write can
 * never damage text we could not read.
 */
import { promises as fs } from 'node:fs';
import { Errors, GatehouseError } from '../errors';
import { IniDocument } from './ini-document';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function lineOfInvalidUtf8(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  for (let index = 0; index <= bytes.length; index += 1) {
    if (index === bytes.length || bytes[index] === 0x0a) {
      try {
        strictUtf8.decode(bytes.subarray(start, index));
      } catch {
        return line;
      }
      line += 1;
      start = index + 1;
    }
  }
  return line;
}

/** Decodes file bytes as UTF-8, keeping a byte-order mark so the text round-trips. */
export function decodeIniBytes(bytes: Buffer, file: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new GatehouseError(Errors.CONFIG_SYNTAX, {
      file, line: lineOfInvalidUtf8(bytes), problem: 'not valid UTF-8 text (save the file as UTF-8)',
    });
  }
}

function describeOsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}

export function unreadable(file: string, error: unknown, context = ''): GatehouseError {
  return new GatehouseError(Errors.CONFIG_UNREADABLE,
    { file, reason: describeOsError(error) + context }, { cause: error });
}

/** Reads and parses one ini file; OS errors become GH_ERR_CONFIG_UNREADABLE. */
export async function readIniFile(file: string, context = ''): Promise<{ text: string; document: IniDocument }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw unreadable(file, error, context);
  }
  const text = decodeIniBytes(bytes, file);
  return { text, document: IniDocument.parse(text, file) };
}
