/**
 * Finding and creating tables, the same way on every backend. Participants use
 * `createMissingTables` so that adopting a database Trac created (its tables already there, no
 * Gatehouse version recorded) adds only what is missing.
 */
import type { Database, Queryable, TableSpec } from './types';

/**
 * Each database lists its tables in its own catalogue; asking the catalogue (rather than trying
 * a SELECT and catching the error) leaves a PostgreSQL transaction usable.
 */
const TABLE_EXISTS_SQL: Record<Database['kind'], string> = {
  sqlite: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?",
  postgres: 'SELECT 1 AS found FROM information_schema.tables ' +
    'WHERE table_schema = current_schema() AND table_name = ?',
  mysql: 'SELECT 1 AS found FROM information_schema.tables ' +
    'WHERE table_schema = DATABASE() AND table_name = ?',
};

/** Whether `name` is a table in the database (for PostgreSQL: in the current schema). */
export async function tableExists(db: Database, tx: Queryable, name: string): Promise<boolean> {
  return (await tx.get(TABLE_EXISTS_SQL[db.kind], [name])) !== undefined;
}

/** Creates the tables of `tables` that do not exist yet, in order; returns the names created. */
export async function createMissingTables(db: Database, tx: Queryable,
  tables: readonly TableSpec[]): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    if (await tableExists(db, tx, table.name)) continue;
    await db.createTable(table, tx);
    created.push(table.name);
  }
  return created;
}
