/**
 * Throw-away databases on this machine's PostgreSQL (127.0.0.1:5432, user postgres) and MariaDB
 * (127.0.0.1:3306, user root), for tests of the db-pool plugin and for the core test suite run
 * with GATEHOUSE_TEST_DB=postgres or mysql (test/helpers/environments.ts calls this).
 *
 * PostgreSQL: one `gh_test_*` database per test process, one schema per call (creating a
 * database takes a third of a second; a schema takes a millisecond), so environments share a
 * database through `?schema=` as sites do. The database is dropped with its last schema.
 * MySQL: one `gh_test_*` database per call.
 */
import crypto from 'node:crypto';
import { quoteIdentifier } from '../../core/db/ddl';
import { parseDatabaseUri } from '../../core/db/uri';
import { connectionTarget } from './connection-target';
import type { DriverConnection } from './drivers/driver-connection';
import { openConnection } from './pool/connection-pool';

export type ServiceKind = 'postgres' | 'mysql';

export const serverUris: Record<ServiceKind, string> = {
  postgres: 'postgres://postgres@127.0.0.1:5432',
  mysql: 'mysql://root@127.0.0.1:3306',
};

const maintenanceDatabase: Record<ServiceKind, string> = { postgres: 'postgres', mysql: 'mysql' };

export interface ThrowawayDatabase {
  uri: string;
  drop(): Promise<void>;
}

/** Runs `work` on a direct connection (outside every pool) to `database` on the test server. */
export async function withAdminConnection<T>(kind: ServiceKind, database: string,
  work: (connection: DriverConnection) => Promise<T>): Promise<T> {
  const target = connectionTarget(parseDatabaseUri(`${serverUris[kind]}/${database}`));
  const connection = await openConnection(target, 5000);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

/** Whether the test server for `kind` accepts connections. */
export async function serviceAvailable(kind: ServiceKind): Promise<boolean> {
  try {
    await withAdminConnection(kind, maintenanceDatabase[kind], (connection) => connection.control('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

/** `gh_test_<name>_<random>`, within both servers' 63/64-character identifier limits. */
function throwawayName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  return `gh_test_${cleaned}_${crypto.randomBytes(4).toString('hex')}`;
}

let sharedPostgresDatabase: Promise<string> | undefined;
let sharedPostgresUsers = 0;

async function dropPostgresDatabase(database: string): Promise<void> {
  await withAdminConnection('postgres', 'postgres', (connection) =>
    connection.control(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`));
}

async function postgresSchema(name: string): Promise<ThrowawayDatabase> {
  sharedPostgresUsers += 1;
  sharedPostgresDatabase ??= (async () => {
    const database = throwawayName(`p${process.pid}`);
    await withAdminConnection('postgres', 'postgres', (connection) =>
      connection.control(`CREATE DATABASE ${quoteIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`));
    return database;
  })();
  const databasePromise = sharedPostgresDatabase;
  const schema = throwawayName(name);
  let database: string;
  try {
    database = await databasePromise;
    await withAdminConnection('postgres', database, (connection) =>
      connection.control(`CREATE SCHEMA ${quoteIdentifier(schema)}`));
  } catch (error) {
    sharedPostgresUsers -= 1;
    if (sharedPostgresDatabase === databasePromise && sharedPostgresUsers === 0) sharedPostgresDatabase = undefined;
    throw error;
  }

  let dropped = false;
  return {
    uri: `${serverUris.postgres}/${database}?schema=${schema}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      sharedPostgresUsers -= 1;
      if (sharedPostgresUsers === 0 && sharedPostgresDatabase === databasePromise) {
        sharedPostgresDatabase = undefined;
        await dropPostgresDatabase(database);
        return;
      }
      await withAdminConnection('postgres', database, (connection) =>
        connection.control(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`));
    },
  };
}

async function mysqlDatabase(name: string): Promise<ThrowawayDatabase> {
  const database = throwawayName(name);
  await withAdminConnection('mysql', 'mysql', (connection) =>
    connection.control(`CREATE DATABASE ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`));
  return {
    uri: `${serverUris.mysql}/${database}`,
    async drop() {
      await withAdminConnection('mysql', 'mysql', (connection) =>
        connection.control(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`));
    },
  };
}

/**
 * A connection string for a new, empty throw-away database (PostgreSQL: a schema of one) and the
 * function that removes it. `initenv` on the string creates the schema (when needed) and tables.
 */
export async function throwawayDatabaseUri(kind: string, name: string): Promise<ThrowawayDatabase> {
  if (kind === 'postgres') return postgresSchema(name);
  if (kind === 'mysql') return mysqlDatabase(name);
  if (kind === 'sqlite') return { uri: 'sqlite:db/trac.db', drop: async () => undefined };
  throw new Error(`throwawayDatabaseUri: kind must be sqlite, postgres or mysql, not "${kind}"`);
}
