/**
 * The built-in SQLite backend (`sqlite:db/trac.db`), on better-sqlite3.
 *
 * Tuning, applied to every connection:
 * - journal_mode=WAL: readers never wait for the writer, and a commit appends to the log instead
 *   of rewriting pages, so many small writes (sign-ins) stay cheap;
 * - synchronous=NORMAL: in WAL mode a commit survives a crash of the process; only a power loss
 *   can undo the last commits (never corrupt the file);
 * - a busy timeout plus timer-driven retries, up to `[trac] timeout`, so processes sharing the
 *   file wait for each other's write lock instead of failing with "database is locked".
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Errors, GatehouseError } from '../errors';
import { DatabaseOptions } from './db-options';
import { DbErrors } from './db-errors';
import { SqliteDatabase } from './sqlite-database';
import { translateSqliteError } from './sqlite-values';
import type { Database, DatabaseBackend, DatabaseUri, OpenContext } from './types';

/**
 * How long one statement may block the event loop inside SQLite's own busy handler before it
 * backs off onto timers (see SqliteDatabase). Writers hold the lock for well under a
 * millisecond, so this covers ordinary contention between workers.
 */
const SYNCHRONOUS_BUSY_WAIT_MS = 50;

/** Cap on the WAL file left after a checkpoint, so one burst of writes does not keep disk forever. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The file a `sqlite:` string names: relative paths resolve against the environment folder. */
export function sqliteFilePath(uri: DatabaseUri, envPath: string): string {
  if (uri.path === ':memory:') return uri.path;
  return path.isAbsolute(uri.path) ? uri.path : path.resolve(envPath, uri.path);
}

export class SqliteBackend implements DatabaseBackend {
  readonly schemes = ['sqlite'] as const;

  /**
   * Opens an existing database. A missing file is an error, not a new empty database: that
   * would hide a wrong path in trac.ini behind an environment with no users and no grants.
   */
  async open(uri: DatabaseUri, context: OpenContext): Promise<Database> {
    const file = sqliteFilePath(uri, context.envPath);
    const lockTimeoutMs = context.config.option(DatabaseOptions.timeout) * 1000;
    if (file !== ':memory:') assertDatabaseFile(file);

    const connection = connect(file, lockTimeoutMs, { fileMustExist: file !== ':memory:' });
    const journalMode = connection.pragma('journal_mode', { simple: true });
    if (journalMode !== 'wal' && file !== ':memory:') {
      context.log.warn({ path: file, journalMode },
        'SQLite could not use WAL mode (is the file on a network share?); writers will block readers');
    }
    return new SqliteDatabase(connection, { file, lockTimeoutMs, log: context.log });
  }

  /** Creates the db/ folder and an empty database file in WAL mode; leaves an existing file alone. */
  async create(uri: DatabaseUri, context: OpenContext): Promise<void> {
    const file = sqliteFilePath(uri, context.envPath);
    if (file === ':memory:') return;
    try {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
    } catch (error) {
      const reason = `cannot create the folder of ${file}: ${(error as Error).message}`;
      throw new GatehouseError(Errors.DB_UNAVAILABLE, { reason }, { cause: error });
    }
    const lockTimeoutMs = context.config.option(DatabaseOptions.timeout) * 1000;
    connect(file, lockTimeoutMs, { fileMustExist: false }).close();
  }
}

function assertDatabaseFile(file: string): void {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GatehouseError(DbErrors.NOT_FOUND, { path: file }, { cause: error });
    }
    throw new GatehouseError(Errors.DB_UNAVAILABLE,
      { reason: `cannot read ${file}: ${(error as Error).message}` }, { cause: error });
  }
  if (!stats.isFile()) {
    throw new GatehouseError(Errors.DB_UNAVAILABLE, { reason: `${file} is not a file` });
  }
}

/**
 * Opens and tunes one connection, and reads the schema once, so a damaged or foreign file is
 * reported now, by path, rather than at the first request.
 */
function connect(file: string, lockTimeoutMs: number, options: { fileMustExist: boolean }):
  BetterSqlite3.Database {
  let connection: BetterSqlite3.Database | undefined;
  try {
    // While opening, wait the full lock timeout (another process may be checkpointing); a
    // blocked start-up harms nobody. Afterwards the shorter wait applies.
    const openWaitMs = lockTimeoutMs === 0 ? 2 ** 31 - 1 : lockTimeoutMs;
    connection = new BetterSqlite3(file, { fileMustExist: options.fileMustExist, timeout: openWaitMs });
    if (file !== ':memory:') connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    connection.prepare('SELECT count(*) FROM sqlite_master').get();
    const busyWaitMs = lockTimeoutMs === 0 ? SYNCHRONOUS_BUSY_WAIT_MS
      : Math.min(lockTimeoutMs, SYNCHRONOUS_BUSY_WAIT_MS);
    connection.pragma(`busy_timeout = ${busyWaitMs}`);
    return connection;
  } catch (error) {
    try {
      connection?.close();
    } catch {
      // Closing a connection that failed to open has nothing to report beyond the first error.
    }
    throw translateSqliteError(error, file);
  }
}
