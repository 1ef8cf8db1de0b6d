/**
 * CREATE TABLE and CREATE INDEX text from a `TableSpec`, for SQLite, PostgreSQL and MySQL, plus
 * the small dialect helpers a backend needs (identifier quoting, numbered placeholders).
 *
 * Column types follow what Trac uses on each database, so a table Gatehouse creates looks like
 * the one Trac would have created, and the reverse.
 */
import type { ColumnSpec, ColumnType, TableSpec } from './types';

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/**
 * A double-quoted identifier (`"system"`), quotes inside doubled. MySQL reads it the same way
 * once the session runs with `sql_mode` ANSI_QUOTES.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Trac's index naming: `<table>_<column>_<column>_idx`. */
export function indexName(table: string, columns: readonly string[]): string {
  return `${table}_${columns.join('_')}_idx`;
}

const TYPES: Record<SqlDialect, Record<ColumnType, string>> = {
  sqlite: { text: 'TEXT', int: 'INTEGER', int64: 'INTEGER', real: 'REAL', blob: 'BLOB' },
  postgres: { text: 'text', int: 'integer', int64: 'bigint', real: 'double precision', blob: 'bytea' },
  mysql: { text: 'text', int: 'int', int64: 'bigint', real: 'double', blob: 'longblob' },
};

/**
 * MySQL cannot index a TEXT column whole, so text columns that are part of the key or an index
 * become VARCHAR: 255 characters when at most three such columns share one key, fewer when more
 * do, so the key stays within InnoDB's 3072 bytes at 4 bytes a character (utf8mb4).
 */
function mysqlKeyLength(table: TableSpec, column: string): number | undefined {
  const keys = [table.key, ...(table.indices ?? []).map((index) => index.columns)];
  const textColumnsPerKey = keys
    .filter((columns) => columns.includes(column))
    .map((columns) => columns.filter((name) => columnOf(table, name).type === 'text').length);
  if (textColumnsPerKey.length === 0) return undefined;
  const widest = Math.max(...textColumnsPerKey);
  return Math.min(255, Math.floor(3072 / 4 / widest));
}

function columnOf(table: TableSpec, name: string): ColumnSpec {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`table ${table.name}: key or index names unknown column "${name}"`);
  return column;
}

function columnDefinition(table: TableSpec, column: ColumnSpec, dialect: SqlDialect): string {
  const name = quoteIdentifier(column.name);
  const soleKey = table.key.length === 1 && table.key[0] === column.name;
  if (column.autoIncrement) {
    if (!soleKey) {
      throw new Error(`table ${table.name}: auto-increment column ${column.name} must be the whole key`);
    }
    if (dialect === 'sqlite') return `${name} INTEGER PRIMARY KEY AUTOINCREMENT`;
    if (dialect === 'postgres') return `${name} serial PRIMARY KEY`;
    return `${name} int NOT NULL AUTO_INCREMENT PRIMARY KEY`;
  }

  let type = TYPES[dialect][column.type];
  if (dialect === 'mysql' && column.type === 'text') {
    const length = mysqlKeyLength(table, column.name);
    if (length !== undefined) type = `varchar(${length})`;
  }
  return `${name} ${type}`;
}

/**
 * The statements that create `table` and its indices, in order.
 *
 * @example createTableStatements(sessionTable, 'sqlite')
 *   // ['CREATE TABLE "session" ("sid" TEXT, ..., PRIMARY KEY ("sid", "authenticated"))',
 *   //  'CREATE INDEX "session_last_visit_idx" ON "session" ("last_visit")', ...]
 */
export function createTableStatements(table: TableSpec, dialect: SqlDialect): string[] {
  for (const name of table.key) columnOf(table, name);
  const definitions = table.columns.map((column) => columnDefinition(table, column, dialect));
  const autoKey = table.columns.some((column) => column.autoIncrement);
  if (table.key.length > 0 && !autoKey) {
    definitions.push(`PRIMARY KEY (${table.key.map(quoteIdentifier).join(', ')})`);
  }
  const tableOptions = dialect === 'mysql'
    ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'
    : '';
  const statements = [
    `CREATE TABLE ${quoteIdentifier(table.name)} (${definitions.join(', ')})${tableOptions}`,
  ];

  for (const index of table.indices ?? []) {
    for (const name of index.columns) columnOf(table, name);
    statements.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ` +
      `${quoteIdentifier(indexName(table.name, index.columns))} ON ${quoteIdentifier(table.name)} ` +
      `(${index.columns.map(quoteIdentifier).join(', ')})`);
  }
  return statements;
}

/**
 * Rewrites `?` placeholders as `$1`, `$2`, ... for PostgreSQL, leaving alone any `?` inside a
 * string literal, a quoted identifier or a comment.
 */
export function numberedPlaceholders(sql: string): string {
  let result = '';
  let count = 0;
  let index = 0;
  while (index < sql.length) {
    const char = sql[index];
    const skipTo = skipQuotedOrComment(sql, index);
    if (skipTo > index) {
      result += sql.slice(index, skipTo);
      index = skipTo;
    } else if (char === '?') {
      count += 1;
      result += `$${count}`;
      index += 1;
    } else {
      result += char;
      index += 1;
    }
  }
  return result;
}

/** The index just past a literal, quoted identifier or comment starting at `index` (or `index`). */
function skipQuotedOrComment(sql: string, index: number): number {
  const char = sql[index];
  if (char === "'" || char === '"' || char === '`') {
    let end = index + 1;
    while (end < sql.length) {
      if (sql[end] === char) {
        if (sql[end + 1] === char) end += 2;
        else return end + 1;
      } else {
        end += 1;
      }
    }
    return sql.length;
  }
  if (char === '-' && sql[index + 1] === '-') {
    const newline = sql.indexOf('\n', index);
    return newline < 0 ? sql.length : newline + 1;
  }
  if (char === '/' && sql[index + 1] === '*') {
    const close = sql.indexOf('*/', index + 2);
    return close < 0 ? sql.length : close + 2;
  }
  return index;
}
