/**
 * The `Database` API over one better-sqlite3 connection.
 *
 * better-sqlite3 runs each statement synchronously, but a transaction's callback awaits between
 * statements. So a transaction holds a FIFO lock on the connection from BEGIN to COMMIT: other
 * callers' statements queue behind it, and statements made inside it (through `tx`, or through
 * this object from the transaction's own async context) go straight through. A nested
 * transaction is a SAVEPOINT.
 *
 * Several processes may share the file (server workers, the admin CLI). WAL lets readers run
 * beside one writer; writers wait for each other: briefly inside SQLite's busy handler, then by
 * retrying on timers so a long wait does not block this process's event loop. Transactions start
 * with BEGIN IMMEDIATE, taking the write lock up front, because a transaction that read first and
 * writes later cannot wait for the lock: SQLite fails it at once with "database is locked".
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import { Errors, GatehouseError } from '../errors';
import type { Logger } from '../log';
import { createTableStatements } from './ddl';
import { DbErrors } from './db-errors';
import { FifoMutex } from './fifo-mutex';
import { fromSqliteRow, isBusy, toSqliteParams, translateSqliteError } from './sqlite-values';
import type {
  Database, PoolStatus, Queryable, Row, RunResult, SqlValue, TableSpec, Transaction,
} from './types';

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/** One open transaction or savepoint, visible to the async calls made inside it. */
interface Frame {
  ended: boolean;
  readonly parent: Frame | undefined;
  /** Nested savepoints of this frame run one at a time. */
  readonly savepoints: FifoMutex;
  readonly handle: Transaction;
}

/** Prepared statements kept per connection; a server runs a few dozen distinct ones. */
const STATEMENT_CACHE_SIZE = 256;

export interface SqliteDatabaseOptions {
  /** The file, for messages. */
  file: string;
  /** How long a statement may wait for another process's lock, in ms; 0 waits without limit. */
  lockTimeoutMs: number;
  log: Logger;
}

export class SqliteDatabase implements Database {
  readonly kind = 'sqlite' as const;
  private readonly mutex = new FifoMutex();
  private readonly frames = new AsyncLocalStorage<Frame>();
  private readonly statements = new Map<string, Statement>();
  private savepointCount = 0;
  private closed = false;

  constructor(private readonly connection: BetterSqlite3.Database,
    private readonly options: SqliteDatabaseOptions) {}

  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.dispatch(() => this.allNow<T>(sql, params));
  }

  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.dispatch(() => this.getNow<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.dispatch(() => this.runNow(sql, params));
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const enclosing = this.activeFrame();
    if (enclosing) return this.savepoint(enclosing, fn);

    this.assertOpen();
    const startedAt = Date.now();
    await this.mutex.acquire();
    try {
      this.assertConnectionOpen();
      await this.retryWhileBusy(() => this.connection.exec('BEGIN IMMEDIATE'), startedAt);
      const frame = this.createFrame(undefined);

      let result: T;
      try {
        result = await this.frames.run(frame, () => fn(frame.handle));
      } catch (error) {
        frame.ended = true;
        this.rollbackQuietly('ROLLBACK');
        throw error;
      }

      frame.ended = true;
      try {
        // In WAL mode a commit never waits; without WAL (a file system that lacks it) it waits
        // for readers to leave, and SQLite lets a busy COMMIT be retried.
        await this.retryWhileBusy(() => this.connection.exec('COMMIT'), Date.now());
      } catch (error) {
        this.rollbackQuietly('ROLLBACK');
        throw error;
      }
      return result;
    } finally {
      this.mutex.release();
    }
  }

  async createTable(table: TableSpec, tx?: Queryable): Promise<void> {
    const statements = createTableStatements(table, 'sqlite');
    const create = async (target: Queryable) => {
      for (const statement of statements) await target.run(statement);
    };
    if (tx) await create(tx);
    else await this.transaction(create);
  }

  async ping(): Promise<void> {
    await this.get('SELECT 1 AS alive');
  }

  poolStatus(): PoolStatus[] {
    return [];
  }

  /** Waits for a running transaction to finish, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.acquire();
    try {
      this.statements.clear();
      // Lets SQLite refresh its planner statistics when they are stale; cheap when they are not.
      this.connection.exec('PRAGMA optimize');
    } catch (error) {
      this.options.log.warn({ path: this.options.file, err: error }, 'PRAGMA optimize failed at close');
    } finally {
      this.connection.close();
      this.mutex.release();
    }
  }

  // Statements outside any transaction.

  /**
   * Runs `op` now when nobody holds the connection (the common case costs no extra tick);
   * otherwise queues behind the holder. A statement that finds the file locked by another
   * process waits in the queue, so nothing else on this connection overtakes it meanwhile.
   */
  private async dispatch<R>(op: () => R): Promise<R> {
    const frame = this.activeFrame();
    if (frame) return this.inFrame(frame, op);

    this.assertOpen();
    const startedAt = Date.now();
    if (!this.mutex.busy) {
      try {
        return op();
      } catch (error) {
        if (!isBusy(error)) throw this.translate(error);
      }
    }
    return this.mutex.runExclusive(() => {
      this.assertConnectionOpen();
      return this.retryWhileBusy(op, startedAt);
    });
  }

  private async retryWhileBusy<R>(op: () => R, startedAt: number): Promise<R> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return op();
      } catch (error) {
        if (!isBusy(error)) throw this.translate(error);
        const limit = this.options.lockTimeoutMs;
        if (limit > 0 && Date.now() - startedAt >= limit) throw this.lockedTooLong(error, startedAt);
      }
      // Back off from 5 ms to about 100 ms, jittered so waiting processes do not retry in step.
      const delay = Math.min(100, 5 * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
      this.assertConnectionOpen();
    }
  }

  // Transactions and savepoints.

  private activeFrame(): Frame | undefined {
    let frame = this.frames.getStore();
    while (frame?.ended) frame = frame.parent;
    return frame;
  }

  private createFrame(parent: Frame | undefined): Frame {
    const frame: Frame = {
      ended: false,
      parent,
      savepoints: new FifoMutex(),
      handle: {
        all: async <T = Row>(sql: string, params?: readonly SqlValue[]) =>
          this.inFrame(frame, () => this.allNow<T>(sql, params)),
        get: async <T = Row>(sql: string, params?: readonly SqlValue[]) =>
          this.inFrame(frame, () => this.getNow<T>(sql, params)),
        run: async (sql: string, params?: readonly SqlValue[]) =>
          this.inFrame(frame, () => this.runNow(sql, params)),
        transaction: async <T>(fn: (tx: Transaction) => Promise<T>) => this.savepoint(frame, fn),
      },
    };
    return frame;
  }

  private inFrame<R>(frame: Frame, op: () => R): R {
    if (frame.ended) {
      throw new GatehouseError(DbErrors.QUERY,
        { reason: 'the transaction has already ended; use the database, not its transaction handle' });
    }
    try {
      return op();
    } catch (error) {
      // The connection's write lock is ours for the whole transaction, so even a busy error
      // here is final.
      throw this.translate(error);
    }
  }

  private async savepoint<T>(parent: Frame, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return parent.savepoints.runExclusive(async () => {
      this.savepointCount += 1;
      const name = `gatehouse_savepoint_${this.savepointCount}`;
      this.inFrame(parent, () => this.execNow(`SAVEPOINT ${name}`));
      const frame = this.createFrame(parent);

      let result: T;
      try {
        result = await this.frames.run(frame, () => fn(frame.handle));
      } catch (error) {
        frame.ended = true;
        this.rollbackQuietly(`ROLLBACK TO ${name}`, `RELEASE ${name}`);
        throw error;
      }

      frame.ended = true;
      this.execNow(`RELEASE ${name}`);
      return result;
    });
  }

  /**
   * Rolls back after a failure without hiding it. SQLite may already have rolled the whole
   * transaction back itself (after a full disk, say); then there is nothing left to undo.
   */
  private rollbackQuietly(...statements: string[]): void {
    if (!this.connection.inTransaction) return;
    try {
      for (const statement of statements) this.connection.exec(statement);
    } catch (error) {
      this.options.log.warn({ path: this.options.file, err: error }, 'SQLite rollback failed');
    }
  }

  // Synchronous statement execution; errors leave as Gatehouse errors.

  private allNow<T>(sql: string, params: readonly SqlValue[] | undefined): T[] {
    return this.execute(sql, params, (statement, bound) =>
      statement.reader
        ? statement.all(...bound).map((row) => fromSqliteRow<T>(row))
        : (statement.run(...bound), []));
  }

  private getNow<T>(sql: string, params: readonly SqlValue[] | undefined): T | undefined {
    return this.execute(sql, params, (statement, bound) => {
      if (!statement.reader) {
        statement.run(...bound);
        return undefined;
      }
      const row = statement.get(...bound);
      return row === undefined ? undefined : fromSqliteRow<T>(row);
    });
  }

  private runNow(sql: string, params: readonly SqlValue[] | undefined): RunResult {
    return this.execute(sql, params, (statement, bound) => {
      if (statement.reader) {
        statement.all(...bound);
        return { changes: 0 };
      }
      return { changes: statement.run(...bound).changes };
    });
  }

  private execNow(sql: string): void {
    try {
      this.connection.exec(sql);
    } catch (error) {
      throw this.translate(error);
    }
  }

  private execute<R>(sql: string, params: readonly SqlValue[] | undefined,
    use: (statement: Statement, bound: unknown[]) => R): R {
    try {
      return use(this.prepare(sql), toSqliteParams(params));
    } catch (error) {
      // A busy error stays raw here: dispatch decides whether to wait and retry.
      if (isBusy(error)) throw error;
      throw this.translate(error);
    }
  }

  private prepare(sql: string): Statement {
    const cached = this.statements.get(sql);
    if (cached) {
      // Re-inserting marks it most recently used.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.connection.prepare<unknown[], unknown>(sql);
    if (statement.reader) statement.safeIntegers(true);
    this.statements.set(sql, statement);
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      const oldest = this.statements.keys().next().value;
      if (oldest !== undefined) this.statements.delete(oldest);
    }
    return statement;
  }

  /** New calls are refused from the moment `close()` is called. */
  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  /** Calls queued before `close()` still run, up to the moment the connection really closes. */
  private assertConnectionOpen(): void {
    if (!this.connection.open) throw this.closedError();
  }

  private closedError(): GatehouseError {
    return new GatehouseError(Errors.DB_UNAVAILABLE, { reason: `${this.options.file} has been closed` });
  }

  private translate(error: unknown): GatehouseError {
    return translateSqliteError(error, this.options.file);
  }

  private lockedTooLong(error: unknown, startedAt: number): GatehouseError {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    return new GatehouseError(Errors.DB_UNAVAILABLE, {
      reason: `${this.options.file} stayed locked by another process for ${seconds} s ` +
        '(the limit is [trac] timeout)',
    }, { cause: error });
  }
}
