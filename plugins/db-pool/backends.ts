/**
 * The PostgreSQL and MySQL backends: DATABASE_BACKEND components that open an environment's
 * database over the shared pool of its server, and create the database (or schema) at initenv.
 */
import { injectable } from 'tsyringe';
import { quoteIdentifier } from '../../core/db/ddl';
import type { Database, DatabaseBackend, DatabaseUri, OpenContext } from '../../core/db/types';
import { GatehouseError } from '../../core/errors';
import { type ConnectionTarget, connectionTarget, type ServerKind } from './connection-target';
import type { DriverConnection } from './drivers/driver-connection';
import { DbPoolErrors } from './errors';
import { readPoolSettings } from './options';
import { attachPool } from './pool/registry';
import { openConnection } from './pool/connection-pool';
import { PooledDatabase } from './pooled-database';

/** How long initenv waits for the server to accept a connection. */
const createConnectTimeoutMs = 10_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || String((error as { code?: unknown }).code) : String(error);
}

function createFailed(target: ConnectionTarget, what: string, error: unknown): GatehouseError {
  return new GatehouseError(DbPoolErrors.CREATE_FAILED,
    { what, server: target.serverKey, reason: messageOf(error) }, { cause: error });
}

async function withConnection<T>(target: ConnectionTarget, work: (c: DriverConnection) => Promise<T>): Promise<T> {
  const connection = await openConnection(target, createConnectTimeoutMs);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

function isMissingDatabase(error: unknown): boolean {
  // PostgreSQL SQLSTATE 3D000 invalid_catalog_name; MySQL ER_BAD_DB_ERROR (1049).
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return code === '3D000' || errno === 1049;
}

/**
 * PostgreSQL: the database is created when missing (the user needs CREATEDB), then the schema
 * named by `?schema=`. Both are left alone when they exist.
 */
async function createOnPostgres(target: ConnectionTarget): Promise<void> {
  try {
    await withConnection(target, async () => undefined);
  } catch (error) {
    if (!isMissingDatabase(error)) throw createFailed(target, `database "${target.database}"`, error);
    try {
      await withConnection({ ...target, database: 'postgres' }, (connection) =>
        connection.control(`CREATE DATABASE ${quoteIdentifier(target.database)} ` +
          "ENCODING 'UTF8' TEMPLATE template0"));
    } catch (createError) {
      throw createFailed(target, `database "${target.database}"`, createError);
    }
  }

  if (target.schema === undefined) return;
  try {
    await withConnection(target, (connection) =>
      connection.control(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(target.schema as string)}`));
  } catch (error) {
    throw createFailed(target, `schema "${target.schema}" in database "${target.database}"`, error);
  }
}

/** MySQL: the database is created when missing, storing text as utf8mb4 compared byte by byte. */
async function createOnMysql(target: ConnectionTarget): Promise<void> {
  const name = quoteIdentifier(target.database);
  try {
    await withConnection({ ...target, database: '' }, (connection) =>
      connection.control(`CREATE DATABASE IF NOT EXISTS ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`));
  } catch (error) {
    throw createFailed(target, `database "${target.database}"`, error);
  }
}

abstract class PooledBackend implements DatabaseBackend {
  abstract readonly schemes: readonly string[];
  protected abstract readonly kind: ServerKind;

  async open(uri: DatabaseUri, context: OpenContext): Promise<Database> {
    const target = connectionTarget(uri);
    const settings = readPoolSettings(context.config, this.kind);
    // The environment's claim on the pool: its own object, so two opens of one folder count twice.
    const owner = { envPath: context.envPath };
    const attachment = attachPool(target, settings, context.log, owner);
    return new PooledDatabase(target, settings, attachment);
  }

  async create(uri: DatabaseUri): Promise<void> {
    const target = connectionTarget(uri);
    if (target.kind === 'postgres') await createOnPostgres(target);
    else await createOnMysql(target);
  }
}

@injectable()
export class PostgresBackend extends PooledBackend {
  readonly schemes = ['postgres'] as const;
  protected readonly kind = 'postgres';
}

@injectable()
export class MysqlBackend extends PooledBackend {
  readonly schemes = ['mysql'] as const;
  protected readonly kind = 'mysql';
}
