/**
 * Transactions on one pooled connection. The transaction's own async context (AsyncLocalStorage)
 * remembers it, so a helper that calls the database instead of the `tx` handle joins the
 * transaction on its connection instead of waiting for a second one: with a full pool, waiting
 * would deadlock the request against itself.
 *
 * PostgreSQL aborts a whole transaction when one statement in it fails; SQLite and MySQL only
 * undo that statement. To behave as SQLite does (a caller may catch a duplicate key and go on),
 * each statement of a PostgreSQL transaction runs under a savepoint that a failure rolls back to.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { FifoMutex } from '../../core/db/fifo-mutex';
import type { Row, RunResult, SqlValue, Transaction } from '../../core/db/types';
import type { DriverConnection, StatementResult } from './drivers/driver-connection';
import { transactionEnded, translateDriverError } from './errors';

const frames = new AsyncLocalStorage<TransactionFrame>();

const statementSavepoint = 'gatehouse_statement';

/** What a transaction and its savepoints share: one connection, used one statement at a time. */
class TransactionSession {
  readonly mutex = new FifoMutex();
  private savepointCount = 0;
  /** A statement savepoint is open (PostgreSQL): release it before the next one. */
  private statementSavepointOpen = false;

  constructor(readonly connection: DriverConnection, readonly server: string) {}

  get usesStatementSavepoints(): boolean {
    return this.connection.kind === 'postgres';
  }

  nextSavepointName(): string {
    this.savepointCount += 1;
    return `gatehouse_savepoint_${this.savepointCount}`;
  }

  /** Several control statements: one round trip on PostgreSQL, one each on MySQL. */
  async control(...statements: string[]): Promise<void> {
    try {
      if (this.connection.kind === 'postgres') {
        await this.connection.control(statements.join('; '));
      } else {
        for (const statement of statements) await this.connection.control(statement);
      }
    } catch (error) {
      throw translateDriverError(error, this.connection, this.server);
    }
  }

  async execute(sql: string, params: readonly SqlValue[]): Promise<StatementResult> {
    if (this.usesStatementSavepoints) {
      await this.control(...this.takeStatementSavepoint(), `SAVEPOINT ${statementSavepoint}`);
      this.statementSavepointOpen = true;
    }
    try {
      return await this.connection.query(sql, params);
    } catch (error) {
      if (this.usesStatementSavepoints && !this.connection.broken) {
        await this.control(`ROLLBACK TO SAVEPOINT ${statementSavepoint}`).catch(() => undefined);
      }
      throw translateDriverError(error, this.connection, this.server);
    }
  }

  /** The RELEASE of an open statement savepoint, to send ahead of the next statement. */
  takeStatementSavepoint(): string[] {
    if (!this.statementSavepointOpen) return [];
    this.statementSavepointOpen = false;
    return [`RELEASE SAVEPOINT ${statementSavepoint}`];
  }

  /** A savepoint's RELEASE or ROLLBACK TO also ends statement savepoints taken after it. */
  forgetStatementSavepoint(): void {
    this.statementSavepointOpen = false;
  }
}

/** One transaction or savepoint: its handle, and whether it is still open. */
export class TransactionFrame {
  ended = false;
  /** Savepoints opened on this frame run one after another, as SQLite's do. */
  private readonly savepoints = new FifoMutex();
  readonly handle: Transaction;

  constructor(readonly owner: object, private readonly session: TransactionSession,
    readonly parent: TransactionFrame | undefined) {
    this.handle = {
      all: async <T = Row>(sql: string, params?: readonly SqlValue[]) =>
        (await this.statement(sql, params ?? [])).rows as T[],
      get: async <T = Row>(sql: string, params?: readonly SqlValue[]) =>
        (await this.statement(sql, params ?? [])).rows[0] as T | undefined,
      run: async (sql: string, params?: readonly SqlValue[]): Promise<RunResult> =>
        ({ changes: (await this.statement(sql, params ?? [])).changes }),
      transaction: <T>(fn: (tx: Transaction) => Promise<T>) => this.savepoint(fn),
    };
  }

  async statement(sql: string, params: readonly SqlValue[]): Promise<StatementResult> {
    if (this.ended) throw transactionEnded();
    return this.session.mutex.runExclusive(() => {
      if (this.ended) throw transactionEnded();
      return this.session.execute(sql, params);
    });
  }

  async savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.ended) throw transactionEnded();
    return this.savepoints.runExclusive(async () => {
      const session = this.session;
      const name = session.nextSavepointName();
      await session.mutex.runExclusive(() =>
        session.control(...session.takeStatementSavepoint(), `SAVEPOINT ${name}`));
      const child = new TransactionFrame(this.owner, session, this);

      let result: T;
      try {
        result = await frames.run(child, () => fn(child.handle));
      } catch (error) {
        child.ended = true;
        await session.mutex.runExclusive(async () => {
          session.forgetStatementSavepoint();
          await session.control(`ROLLBACK TO SAVEPOINT ${name}`, `RELEASE SAVEPOINT ${name}`);
        }).catch(() => undefined);
        throw error;
      }

      child.ended = true;
      await session.mutex.runExclusive(async () => {
        session.forgetStatementSavepoint();
        await session.control(`RELEASE SAVEPOINT ${name}`);
      });
      return result;
    });
  }
}

/** The open transaction of `owner` that the current async context runs in, if any. */
export function activeFrame(owner: object): TransactionFrame | undefined {
  for (let frame = frames.getStore(); frame; frame = frame.parent) {
    if (frame.owner === owner && !frame.ended) return frame;
  }
  return undefined;
}

/**
 * Runs `fn` in a transaction on `connection`: COMMIT when it resolves, ROLLBACK when it throws.
 * When the outcome is unknown (COMMIT or ROLLBACK failed), the connection is marked broken so
 * that it is closed rather than handed to someone else mid-transaction.
 */
export async function runTransaction<T>(owner: object, connection: DriverConnection, server: string,
  fn: (tx: Transaction) => Promise<T>): Promise<T> {
  const session = new TransactionSession(connection, server);
  await session.control(connection.kind === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
  const frame = new TransactionFrame(owner, session, frames.getStore());

  const rollback = () => session.mutex.runExclusive(async () => {
    try {
      await session.control('ROLLBACK');
    } catch {
      connection.destroy('ROLLBACK failed; the transaction state is unknown');
    }
  });

  let result: T;
  try {
    result = await frames.run(frame, () => fn(frame.handle));
  } catch (error) {
    frame.ended = true;
    await rollback();
    throw error;
  }

  frame.ended = true;
  try {
    await session.mutex.runExclusive(() => session.control('COMMIT'));
  } catch (error) {
    await rollback();
    throw error;
  }
  return result;
}
