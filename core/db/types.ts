/**
 * The core's database API: asynchronous and backend-neutral. SQL is written once with `?`
 * placeholders and portable types; each backend translates placeholders and runs DDL built from
 * `TableSpec`. Parameters are always bound, never interpolated.
 *
 * Identifiers that are reserved somewhere (Trac's `system` table, say) are written in double
 * quotes; the MySQL backend turns on ANSI_QUOTES so the same text works there.
 */

export type SqlValue = string | number | bigint | boolean | null | Buffer;
export type Row = Record<string, unknown>;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

export interface Queryable {
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
}

/**
 * The handle a transaction callback gets: statements on it run inside the transaction, and
 * `transaction` on it opens a nested one (a SAVEPOINT) that rolls back alone when its callback
 * throws.
 */
export interface Transaction extends Queryable {
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql';

export interface PoolStatus {
  /** The server this pool talks to, without credentials (`postgres://host:5432`). */
  server: string;
  poolable: boolean;
  max: number;
  size: number;
  inUse: number;
  idle: number;
  waiting: number;
}

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back
   * when it throws. Database calls made inside `fn` through `tx` use that connection; nested
   * `transaction` calls on `tx` are savepoints or join the outer transaction.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Creates a table with its indices (used by schema setup and upgrades). */
  createTable(table: TableSpec, tx?: Queryable): Promise<void>;
  /** Throws GH_ERR_DB_UNAVAILABLE when the database cannot answer. */
  ping(): Promise<void>;
  /** Pool figures, for /about and `db status`; an embedded database returns []. */
  poolStatus(): PoolStatus[];
  /** Releases what this environment holds (a shared pool stays for the others). */
  close(): Promise<void>;
}

export type ColumnType = 'text' | 'int' | 'int64' | 'real' | 'blob';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  autoIncrement?: boolean;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  /** Primary key columns. */
  key: string[];
  indices?: Array<{ columns: string[]; unique?: boolean }>;
}

/** A parsed `[trac] database` string. */
export interface DatabaseUri {
  /** `sqlite`, `postgres` or `mysql`. */
  scheme: string;
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  /** Database name, or for SQLite the file path (relative to the environment). */
  path: string;
  params: Record<string, string>;
  /** The original string, for messages (never logged with its password: see `redactUri`). */
  text: string;
}

/** Context a backend gets when it opens a database for an environment. */
export interface OpenContext {
  envPath: string;
  /** Reads declared options of this environment (pool sizes and such). */
  config: import('../config/types').ConfigView;
  log: import('../log').Logger;
}

/** A database backend: SQLite is built in; the db-pool plugin registers PostgreSQL and MySQL. */
export interface DatabaseBackend {
  readonly schemes: readonly string[];
  open(uri: DatabaseUri, context: OpenContext): Promise<Database>;
  /** Creates the database (or schema) when it does not exist yet: used by initenv. */
  create?(uri: DatabaseUri, context: OpenContext): Promise<void>;
}
