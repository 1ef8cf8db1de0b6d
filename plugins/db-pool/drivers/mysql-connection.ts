/** One MySQL or MariaDB connection through mysql2, with values shaped as SQLite's. */
import mysql from 'mysql2';
import type { FieldPacket, ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Row, SqlValue } from '../../../core/db/types';
import type { ConnectionTarget } from '../connection-target';
import { bindableValue, DriverConnection, type StatementResult } from './driver-connection';

/**
 * ANSI_QUOTES: the core double-quotes identifiers ("system"), as PostgreSQL and SQLite read them.
 * PIPES_AS_CONCAT: `||` joins strings as in SQLite and PostgreSQL, instead of meaning OR.
 * STRICT_TRANS_TABLES: a value that does not fit is an error, not silently cut.
 */
const sessionSqlMode = 'ANSI_QUOTES,PIPES_AS_CONCAT,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION,' +
  'NO_ZERO_IN_DATE,NO_ZERO_DATE';

/** mysql2's column type code for BIGINT (MYSQL_TYPE_LONGLONG). */
const longlongType = 8;

const socketErrorCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
]);

type MysqlResult = RowDataPacket[] | ResultSetHeader;

/** BIGINT values past 2^53 arrive as strings (supportBigNumbers): make them exact bigints. */
function normaliseRows(rows: RowDataPacket[], fields: FieldPacket[] | undefined): Row[] {
  const wide = (fields ?? []).filter((field) => field.columnType === longlongType).map((field) => field.name);
  if (wide.length === 0) return rows;
  for (const row of rows) {
    for (const name of wide) {
      if (typeof row[name] === 'string') row[name] = BigInt(row[name] as string);
    }
  }
  return rows;
}

export class MysqlConnection extends DriverConnection {
  readonly kind = 'mysql';

  constructor(private readonly connection: mysql.Connection) {
    super();
    connection.on('error', (error: Error) => this.markBroken(error.message));
    connection.on('end', () => this.markBroken('the server closed the connection'));
  }

  static async connect(target: ConnectionTarget, timeoutMs: number): Promise<MysqlConnection> {
    const connection = mysql.createConnection({
      host: target.host,
      port: target.port,
      socketPath: target.socket,
      user: target.user,
      password: target.password,
      database: target.database || undefined,
      ssl: target.ssl,
      connectTimeout: timeoutMs,
      // Text compares byte by byte on this connection too, as the tables do (see sql/ddl.ts).
      charset: 'UTF8MB4_BIN',
      supportBigNumbers: true,
      bigNumberStrings: false,
      decimalNumbers: true,
      // UPDATE reports the rows it matched, as SQLite and PostgreSQL do, not only those it changed.
      flags: ['FOUND_ROWS'],
      maxPreparedStatements: 256,
    });
    connection.on('error', () => undefined);

    await new Promise<void>((resolve, reject) => {
      connection.connect((error) => (error ? reject(error) : resolve()));
    });
    const opened = new MysqlConnection(connection);
    try {
      await opened.control(`SET SESSION sql_mode = '${sessionSqlMode}'`);
    } catch (error) {
      opened.destroy('session set-up failed');
      throw error;
    }
    return opened;
  }

  query(sql: string, params: readonly SqlValue[]): Promise<StatementResult> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, result?: MysqlResult, fields?: FieldPacket[]) => {
        if (error) {
          reject(error);
          return;
        }
        this.lastUsedAt = Date.now();
        if (Array.isArray(result)) resolve({ rows: normaliseRows(result, fields), changes: 0 });
        else resolve({ rows: [], changes: result?.affectedRows ?? 0 });
      };
      // Parameters go to the server in a prepared statement (never spliced into the text).
      if (params.length > 0) this.connection.execute<MysqlResult>(sql, params.map(bindableValue), done);
      else this.connection.query<MysqlResult>(sql, done);
    });
  }

  async control(sql: string): Promise<void> {
    await this.query(sql, []);
  }

  protected endGracefully(): Promise<void> {
    return new Promise((resolve) => {
      this.connection.end(() => resolve());
    });
  }

  protected endAbruptly(): void {
    this.connection.destroy();
  }

  isConnectionError(error: unknown): boolean {
    if (this.broken) return true;
    const { code, fatal, message } = (error ?? {}) as { code?: unknown; fatal?: unknown; message?: unknown };
    if (fatal === true) return true;
    if (typeof code === 'string' && socketErrorCodes.has(code)) return true;
    return typeof message === 'string' && /closed state/i.test(message);
  }

  isDuplicateKey(error: unknown): boolean {
    // ER_DUP_ENTRY and ER_DUP_ENTRY_WITH_KEY_NAME.
    const errno = (error as { errno?: unknown } | null)?.errno;
    return errno === 1062 || errno === 1586;
  }
}
