/**
 * Shared set-up for the db-pool tests: skip (or fail, under GATEHOUSE_REQUIRE_SERVICES=1) when a
 * database server is not running, and open pooled databases the way an environment does.
 */
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { CoreSchema } from '../../../core/db/core-schema';
import { createDatabase, openDatabase } from '../../../core/db/open-database';
import { createSchema } from '../../../core/db/setup';
import { testOpenContext, type TestOpenContext } from '../../../core/db/testing/db-test-context';
import type { Database, DatabaseBackend } from '../../../core/db/types';
import { MysqlBackend, PostgresBackend } from '../backends';
import { serviceAvailable, type ServiceKind, throwawayDatabaseUri, withAdminConnection } from '../test-support';

/** A new empty folder, removed after the test (t.testdir() gives one folder per test). */
export async function freshFolder(t: Test): Promise<string> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-db-pool-'));
  t.teardown(() => fs.rm(folder, { recursive: true, force: true }));
  return folder;
}

export const serviceNames: Record<ServiceKind, string> = {
  postgres: 'PostgreSQL on 127.0.0.1:5432',
  mysql: 'MariaDB/MySQL on 127.0.0.1:3306',
};

export const backends: DatabaseBackend[] = [new PostgresBackend(), new MysqlBackend()];

const availability = new Map<ServiceKind, Promise<boolean>>();

/**
 * True when the server runs. Otherwise skips the test with a reason naming the server, or fails
 * it when GATEHOUSE_REQUIRE_SERVICES=1 (as .ci/run sets).
 */
export async function needService(t: Test, kind: ServiceKind): Promise<boolean> {
  if (!availability.has(kind)) availability.set(kind, serviceAvailable(kind));
  if (await availability.get(kind)) return true;
  if (process.env.GATEHOUSE_REQUIRE_SERVICES === '1') {
    t.fail(`${serviceNames[kind]} is required (GATEHOUSE_REQUIRE_SERVICES=1) but does not answer`);
  } else {
    const reason = `${serviceNames[kind]} is not running`;
    t.pass(reason, { skip: reason });
  }
  return false;
}

/** The text of a trac.ini naming `uri`, with `[db-pool]` settings. */
export function iniFor(uri: string, pool: Record<string, string | number | boolean> = {}): string {
  const lines = ['[trac]', `database = ${uri}`, '', '[db-pool]'];
  for (const [key, value] of Object.entries(pool)) lines.push(`${key} = ${String(value)}`);
  return `${lines.join('\n')}\n`;
}

export interface OpenedDatabase {
  db: Database;
  uri: string;
  context: TestOpenContext;
}

/** Opens (creating it first, with the core tables) the database `uri` names, for one env folder. */
export async function openWithCoreSchema(t: Test, uri: string,
  pool: Record<string, string | number | boolean> = {}): Promise<OpenedDatabase> {
  const context = await testOpenContext(await freshFolder(t), iniFor(uri, pool));
  await createDatabase(uri, context, backends);
  const db = await openDatabase(uri, context, backends);
  t.teardown(() => db.close());
  await createSchema(db, [new CoreSchema()]);
  return { db, uri, context };
}

/** A new throw-away database (a schema, on PostgreSQL) for `kind`, dropped after the test. */
export async function throwaway(t: Test, kind: ServiceKind | 'sqlite', name: string): Promise<string> {
  const made = await throwawayDatabaseUri(kind, name);
  // Registered first, so it runs after the databases the test opened are closed.
  t.teardown(() => made.drop());
  return made.uri;
}

export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; status?: number };
  }
  throw new Error('expected the call to fail');
}

/** The number of connections PostgreSQL counts to `database` right now (any application). */
export async function postgresConnectionCount(database: string): Promise<number> {
  return withAdminConnection('postgres', 'postgres', async (connection) => {
    const result = await connection.query(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()', [database]);
    return Number(result.rows[0].n);
  });
}
