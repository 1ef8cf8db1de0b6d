/**
 * Database error codes beyond the ones in core/errors.ts (GH_ERR_DB_URI, GH_ERR_DB_BACKEND_MISSING,
 * GH_ERR_DB_UNAVAILABLE, GH_ERR_DB_NEEDS_UPGRADE). Every backend throws these same codes, so a
 * caller can react to a duplicate key without knowing which database it talks to.
 */
import { defineError } from '../errors';

export const DbErrors = {
  /** The SQLite file named by `[trac] database` is not there. */
  NOT_FOUND: defineError('GH_ERR_DB_NOT_FOUND', 500,
    'the database file {path} does not exist; check [trac] database in trac.ini ' +
    '(a new environment gets one from gatehouse-admin ENV initenv)'),
  /** An INSERT or UPDATE hit a primary key or unique index that already holds the value. */
  DUPLICATE_KEY: defineError('GH_ERR_DB_DUPLICATE_KEY', 409,
    'a row with the same key already exists: {reason}'),
  /** The statement itself is wrong (a programming error): syntax, unknown table, wrong arguments. */
  QUERY: defineError('GH_ERR_DB_QUERY', 500, 'database query failed: {reason}'),
  /** The stored schema is newer than this code: an older Gatehouse must not write to it. */
  SCHEMA_NEWER: defineError('GH_ERR_DB_SCHEMA_NEWER', 500,
    'the database holds {versionKey} = {stored}, newer than version {known} that this Gatehouse ' +
    'knows; run the newer Gatehouse that upgraded it, or restore a backup'),
} as const;
