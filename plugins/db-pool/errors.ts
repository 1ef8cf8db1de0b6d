/**
 * Error codes of the db-pool plugin, and the translation of driver errors into the core's
 * backend-neutral codes (core/db/db-errors.ts), so callers react the same way on every database.
 */
import { DbErrors } from '../../core/db/db-errors';
import { defineError, Errors, GatehouseError } from '../../core/errors';
import type { DriverConnection } from './drivers/driver-connection';

export const DbPoolErrors = {
  CREATE_FAILED: defineError('GH_ERR_DB_POOL_CREATE_FAILED', 500,
    'cannot create {what} on {server}: {reason}'),
} as const;

/** GH_ERR_DB_UNAVAILABLE (503): the core's code for a database that cannot answer now. */
export function unavailable(reason: string, cause?: unknown): GatehouseError {
  return new GatehouseError(Errors.DB_UNAVAILABLE, { reason }, { cause });
}

export function transactionEnded(): GatehouseError {
  return new GatehouseError(DbErrors.QUERY,
    { reason: 'the transaction has already ended; use the database, not its transaction handle' });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * GH_ERR_DB_UNAVAILABLE when the connection or server went away, GH_ERR_DB_DUPLICATE_KEY for a
 * key collision, GH_ERR_DB_QUERY for anything else the statement did wrong.
 */
export function translateDriverError(error: unknown, connection: DriverConnection, server: string):
  GatehouseError {
  if (error instanceof GatehouseError) return error;
  if (connection.isConnectionError(error)) return unavailable(`${server}: ${messageOf(error)}`, error);
  if (connection.isDuplicateKey(error)) {
    return new GatehouseError(DbErrors.DUPLICATE_KEY, { reason: messageOf(error) }, { cause: error });
  }
  return new GatehouseError(DbErrors.QUERY, { reason: messageOf(error) }, { cause: error });
}
