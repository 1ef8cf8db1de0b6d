/**
 * The core's `Database` API for one environment on PostgreSQL or MySQL, over the pool its
 * server shares with other environments. Several environments can share one pool (and one
 * PostgreSQL database through different schemas): every connection handed to this environment
 * first gets this environment's search_path.
 */
import { createTableStatements } from '../../core/db/ddl';
import { currentRequestScope } from '../../core/db/request-scope';
import type {
  Database, PoolStatus, Queryable, Row, RunResult, SqlValue, TableSpec, Transaction,
} from '../../core/db/types';
import { Errors, GatehouseError } from '../../core/errors';
import type { ConnectionTarget } from './connection-target';
import type { DriverConnection, StatementResult } from './drivers/driver-connection';
import { searchPathStatement } from './drivers/postgres-connection';
import { translateDriverError, unavailable } from './errors';
import type { PoolSettings } from './options';
import type { PoolAttachment } from './pool/registry';
import { serverStatus } from './pool/registry';
import { type ConnectionSource, RequestLease } from './request-lease';
import { activeFrame, runTransaction } from './transaction';

export class PooledDatabase implements Database, ConnectionSource {
  readonly kind: 'postgres' | 'mysql';
  private closed = false;
  private schemaChecked = false;

  constructor(
    readonly target: ConnectionTarget,
    readonly settings: PoolSettings,
    private readonly attachment: PoolAttachment,
  ) {
    this.kind = target.kind;
  }

  async all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return (await this.statement(sql, params ?? [])).rows as T[];
  }

  async get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await this.statement(sql, params ?? [])).rows[0] as T | undefined;
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return { changes: (await this.statement(sql, params ?? [])).changes };
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const enclosing = activeFrame(this);
    if (enclosing) return enclosing.savepoint(fn);
    return this.withConnection((connection) => runTransaction(this, connection, this.target.label, fn));
  }

  async createTable(table: TableSpec, tx?: Queryable): Promise<void> {
    const statements = createTableStatements(table, this.kind);
    const create = async (target: Queryable) => {
      for (const statement of statements) await target.run(statement);
    };
    if (tx) await create(tx);
    else await this.transaction(create);
  }

  /** Answers within acquire_timeout (twice, at worst: once to get a connection, once to reply). */
  async ping(): Promise<void> {
    const limitMs = this.settings.acquireTimeoutMs;
    await this.withConnection(async (connection) => {
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          // A server that stopped answering keeps this connection busy forever: cut it.
          connection.destroy('no answer to a ping');
          reject(unavailable(`${this.target.label} did not answer within ${limitMs / 1000} s`));
        }, limitMs);
      });
      try {
        await Promise.race([this.execute(connection, 'SELECT 1', []), silence]);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  poolStatus(): PoolStatus[] {
    const status = serverStatus(this.target.serverKey, this.settings.poolable);
    return status ? [status] : [];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.attachment.detach();
  }

  // ConnectionSource, for the request's lease.

  async checkout(): Promise<DriverConnection> {
    if (this.closed) throw unavailable(`${this.target.label}: this environment's database has been closed`);
    const pool = this.attachment.pool;
    const connection = await pool.acquire(this.settings.acquireTimeoutMs);
    if (this.kind === 'postgres' && connection.schema !== this.target.schema) {
      // Connections are shared by every schema of the database: set ours before any statement.
      try {
        await this.checkSchemaOnce(connection);
        await connection.control(searchPathStatement(this.target.schema));
        connection.schema = this.target.schema;
      } catch (error) {
        if (connection.broken) pool.discard(connection, 'could not set search_path');
        else pool.release(connection);
        throw translateDriverError(error, connection, this.target.label);
      }
    }
    return connection;
  }

  /**
   * PostgreSQL accepts a search_path naming a schema that does not exist, and every statement
   * then fails with "relation does not exist". Say what is wrong instead, once.
   */
  private async checkSchemaOnce(connection: DriverConnection): Promise<void> {
    const schema = this.target.schema;
    if (schema === undefined || this.schemaChecked) return;
    const found = await connection.query('SELECT 1 AS found FROM pg_namespace WHERE nspname = ?', [schema]);
    if (found.rows.length === 0) {
      throw new GatehouseError(Errors.DB_URI, { uri: this.target.label,
        reason: `schema "${schema}" does not exist in database "${this.target.database}" ` +
          '(initenv creates it; check schema= in [trac] database)' });
    }
    this.schemaChecked = true;
  }

  checkin(connection: DriverConnection): void {
    if (connection.broken) this.attachment.pool.discard(connection, connection.whyBroken ?? 'broken');
    else this.attachment.pool.release(connection);
  }

  // Statements.

  private statement(sql: string, params: readonly SqlValue[]): Promise<StatementResult> {
    const frame = activeFrame(this);
    if (frame) return frame.statement(sql, params);
    return this.withConnection((connection) => this.execute(connection, sql, params));
  }

  private async execute(connection: DriverConnection, sql: string, params: readonly SqlValue[]):
    Promise<StatementResult> {
    try {
      return await connection.query(sql, params);
    } catch (error) {
      throw translateDriverError(error, connection, this.target.label);
    }
  }

  /**
   * Inside a request, the request's lease (one connection per request and environment); outside
   * one (start-up, a background job), a connection for this call alone.
   */
  private async withConnection<T>(work: (connection: DriverConnection) => Promise<T>): Promise<T> {
    const scope = currentRequestScope();
    if (scope) {
      let lease = scope.values.get(this) as RequestLease | undefined;
      if (!lease) {
        const created = new RequestLease(this, !this.settings.poolable);
        scope.values.set(this, created);
        scope.onEnd(() => created.end());
        lease = created;
      }
      return lease.use(work);
    }

    const connection = await this.checkout();
    try {
      return await work(connection);
    } finally {
      this.checkin(connection);
    }
  }
}
