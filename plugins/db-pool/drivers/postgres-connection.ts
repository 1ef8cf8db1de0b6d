/** One PostgreSQL connection through node-postgres (`pg`), with values shaped as SQLite's. */
import { Client, types } from 'pg';
import { DbErrors } from '../../../core/db/db-errors';
import { quoteIdentifier } from '../../../core/db/ddl';
import type { SqlValue } from '../../../core/db/types';
import { GatehouseError } from '../../../core/errors';
import type { ConnectionTarget } from '../connection-target';
import { PlaceholderCache } from '../sql/placeholders';
import { bindableValue, DriverConnection, integerFromText, type StatementResult } from './driver-connection';

/** PostgreSQL type OIDs (pg_type.oid) whose text form we convert ourselves. */
const oids = { bool: 16, int8: 20, numeric: 1700 } as const;

/**
 * The core sees the same values on every backend: whole numbers as numbers (bigint only past
 * 2^53, where pg would give a string), booleans as 1 and 0 as SQLite stores them.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: string): (text: string) => unknown {
    if (format === undefined || format === 'text') {
      if (oid === oids.int8) return integerFromText;
      if (oid === oids.bool) return (text) => (text === 't' ? 1 : 0);
      if (oid === oids.numeric) return Number;
    }
    return types.getTypeParser(oid, format as 'text');
  },
};

const placeholders = new PlaceholderCache();

/** SQLSTATE classes and codes that mean the session is gone, not that the statement failed. */
const connectionStates = /^(08|57P0[1-3]|53300)/;
const socketErrorCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT', 'EAI_AGAIN',
]);

export class PostgresConnection extends DriverConnection {
  readonly kind = 'postgres';

  constructor(private readonly client: Client) {
    super();
    // Without a listener, a server that drops an idle connection would crash the process.
    client.on('error', (error: Error) => this.markBroken(error.message));
    client.on('end', () => this.markBroken('the server closed the connection'));
  }

  static async connect(target: ConnectionTarget, timeoutMs: number): Promise<PostgresConnection> {
    const client = new Client({
      host: target.socket ?? target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      ssl: target.ssl,
      application_name: target.applicationName,
      connectionTimeoutMillis: timeoutMs,
      keepAlive: true,
      types: typeParsers,
    });
    // Errors during connect() reject it; the listener keeps a late socket error from crashing us.
    client.on('error', () => undefined);
    await client.connect();
    return new PostgresConnection(client);
  }

  async query(sql: string, params: readonly SqlValue[]): Promise<StatementResult> {
    const { text, placeholders: expected } = placeholders.translate(sql);
    if (expected !== params.length) {
      throw new GatehouseError(DbErrors.QUERY,
        { reason: `the statement has ${expected} placeholders but ${params.length} parameters were bound` });
    }

    const result = await this.client.query({ text, values: params.map(bindableValue) });
    this.lastUsedAt = Date.now();
    const reading = result.command === 'SELECT' || result.command === 'SHOW';
    return { rows: result.rows ?? [], changes: reading ? 0 : (result.rowCount ?? 0) };
  }

  async control(sql: string): Promise<void> {
    // No parameters: pg uses the simple query protocol, which takes several statements at once.
    await this.client.query(sql);
    this.lastUsedAt = Date.now();
  }

  protected async endGracefully(): Promise<void> {
    await this.client.end();
  }

  protected endAbruptly(): void {
    // pg has no public "destroy": end() asks politely, and the socket is cut in case the server
    // no longer answers (a stopped or unreachable host would otherwise keep it half-open).
    this.client.end().catch(() => undefined);
    const internals = this.client as unknown as { connection?: { stream?: { destroy?: () => void } } };
    internals.connection?.stream?.destroy?.();
  }

  isConnectionError(error: unknown): boolean {
    if (this.broken) return true;
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (connectionStates.test(code) || socketErrorCodes.has(code))) return true;
    return typeof message === 'string' && /Connection terminated|not queryable/i.test(message);
  }

  isDuplicateKey(error: unknown): boolean {
    // SQLSTATE 23505 unique_violation (PostgreSQL manual, appendix A).
    return (error as { code?: unknown } | null)?.code === '23505';
  }
}

/** The statement that gives a connection the search_path an environment needs. */
export function searchPathStatement(schema: string | undefined): string {
  return schema === undefined ? 'SET search_path TO DEFAULT' : `SET search_path TO ${quoteIdentifier(schema)}`;
}
