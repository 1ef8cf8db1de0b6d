/**
 * Opening an environment's database from its `[trac] database` string: the backend is chosen
 * by the string's scheme among the enabled DATABASE_BACKEND components, with SQLite built in.
 * Callers only ever see the `Database` interface, so a pooled backend plugs in unnoticed.
 */
import { Errors, GatehouseError } from '../errors';
import { SqliteBackend } from './sqlite-backend';
import type { Database, DatabaseBackend, DatabaseUri, OpenContext } from './types';
import { parseDatabaseUri } from './uri';

const builtinSqlite = new SqliteBackend();

/**
 * The backend for `uri`: the first enabled one offering its scheme, else the built-in SQLite one.
 * @throws GH_ERR_DB_BACKEND_MISSING for postgres or mysql when no enabled backend offers them.
 */
export function backendFor(uri: DatabaseUri,
  backends: readonly DatabaseBackend[] = []): DatabaseBackend {
  const offered = backends.find((backend) => backend.schemes.includes(uri.scheme));
  if (offered) return offered;
  if (uri.scheme === 'sqlite') return builtinSqlite;
  throw new GatehouseError(Errors.DB_BACKEND_MISSING, { scheme: uri.scheme });
}

/**
 * Opens the database an environment names.
 *
 * @example
 *   await openDatabase('sqlite:db/trac.db', { envPath, config, log },
 *     env.extensions(DATABASE_BACKEND))
 * @throws GH_ERR_DB_URI, GH_ERR_DB_BACKEND_MISSING, GH_ERR_DB_NOT_FOUND, GH_ERR_DB_UNAVAILABLE
 */
export async function openDatabase(uriText: string, context: OpenContext,
  backends: readonly DatabaseBackend[] = []): Promise<Database> {
  const uri = parseDatabaseUri(uriText);
  return backendFor(uri, backends).open(uri, context);
}

/**
 * For initenv: creates the database (for SQLite the db/ folder and the file) when it does not
 * exist yet, and holds nothing open. The caller then opens it with `openDatabase` and runs
 * `createSchema` with the setup participants.
 */
export async function createDatabase(uriText: string, context: OpenContext,
  backends: readonly DatabaseBackend[] = []): Promise<void> {
  const uri = parseDatabaseUri(uriText);
  await backendFor(uri, backends).create?.(uri, context);
}
