/**
 * Values in and out of better-sqlite3, and its errors turned into Gatehouse's.
 */
import { Errors, GatehouseError } from '../errors';
import { DbErrors } from './db-errors';
import type { SqlValue } from './types';

type BoundValue = string | bigint | number | Buffer | null;

/**
 * better-sqlite3 binds every JavaScript number as a double, and SQLite then stores 1 as the text
 * "1.0" in a TEXT column (most of Trac's columns). Whole numbers therefore go in as integers;
 * booleans become 0 and 1 as Trac stores them.
 */
export function toSqliteParams(params: readonly SqlValue[] | undefined): BoundValue[] {
  if (!params) return [];
  return params.map((value) => {
    if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
    if (typeof value === 'boolean') return value ? 1n : 0n;
    if (value === undefined) return null;
    return value;
  });
}

/**
 * Statements run with safe integers on (so a 64-bit microsecond timestamp is never rounded);
 * values that fit a JavaScript number come back as numbers, larger ones stay bigint.
 */
export function fromSqliteRow<T>(row: unknown): T {
  const record = row as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'bigint' && value <= MAX_SAFE && value >= MIN_SAFE) record[key] = Number(value);
  }
  return record as T;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** The SQLite result code of a better-sqlite3 error (`SQLITE_BUSY`, `SQLITE_FULL`, ...). */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** What a site owner can do about each condition that makes the file unusable. */
function unavailableHint(code: string): string | undefined {
  if (code.startsWith('SQLITE_FULL')) return 'the disk is full';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return 'the file is damaged or is not an SQLite database; restore it from a backup';
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return 'the server may not write to it; ' +
      'check the owner and permissions of the file and of its folder';
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return 'the file cannot be opened; check that it and its folder exist and are readable and writable';
  }
  if (code.startsWith('SQLITE_IOERR')) return 'the operating system reported an I/O error';
  if (code === 'SQLITE_NOMEM') return 'out of memory';
  if (code === 'SQLITE_PROTOCOL' || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return 'another process kept it locked too long';
  }
  return undefined;
}

/**
 * Turns a better-sqlite3 error into the backend-neutral codes: GH_ERR_DB_UNAVAILABLE when the
 * file cannot be used, GH_ERR_DB_DUPLICATE_KEY for a key collision, GH_ERR_DB_QUERY otherwise.
 */
export function translateSqliteError(error: unknown, file: string): GatehouseError {
  if (error instanceof GatehouseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = sqliteCode(error);

  if (code !== undefined) {
    const hint = unavailableHint(code);
    if (hint !== undefined) {
      return new GatehouseError(Errors.DB_UNAVAILABLE,
        { reason: `${file}: ${message} (${code}): ${hint}`, sqliteCode: code }, { cause: error });
    }
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      return new GatehouseError(DbErrors.DUPLICATE_KEY, { reason: message, sqliteCode: code },
        { cause: error });
    }
  }
  return new GatehouseError(DbErrors.QUERY, { reason: message, sqliteCode: code }, { cause: error });
}
