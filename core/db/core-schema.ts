/**
 * The core's tables. Those Trac also has keep Trac's names, columns and keys, so a Trac
 * environment's users, grants, sessions and attachment records carry over unchanged.
 *
 * Times are Trac's: `auth_cookie.time` and `session.last_visit` in seconds, `attachment.time`
 * in microseconds (hence int64).
 */
import type { EnvironmentSetupParticipant } from '../env/types';
import { createMissingTables } from './schema-tables';
import type { Database, Queryable, TableSpec } from './types';

export const systemTable: TableSpec = {
  name: 'system',
  columns: [{ name: 'name', type: 'text' }, { name: 'value', type: 'text' }],
  key: ['name'],
};

export const permissionTable: TableSpec = {
  name: 'permission',
  columns: [{ name: 'username', type: 'text' }, { name: 'action', type: 'text' }],
  key: ['username', 'action'],
};

export const authCookieTable: TableSpec = {
  name: 'auth_cookie',
  columns: [
    { name: 'cookie', type: 'text' },
    { name: 'name', type: 'text' },
    { name: 'ipnr', type: 'text' },
    { name: 'time', type: 'int' },
  ],
  key: ['cookie', 'ipnr', 'name'],
};

export const sessionTable: TableSpec = {
  name: 'session',
  columns: [
    { name: 'sid', type: 'text' },
    { name: 'authenticated', type: 'int' },
    { name: 'last_visit', type: 'int' },
  ],
  key: ['sid', 'authenticated'],
  indices: [{ columns: ['last_visit'] }, { columns: ['authenticated'] }],
};

export const sessionAttributeTable: TableSpec = {
  name: 'session_attribute',
  columns: [
    { name: 'sid', type: 'text' },
    { name: 'authenticated', type: 'int' },
    { name: 'name', type: 'text' },
    { name: 'value', type: 'text' },
  ],
  key: ['sid', 'authenticated', 'name'],
};

export const attachmentTable: TableSpec = {
  name: 'attachment',
  columns: [
    { name: 'type', type: 'text' },
    { name: 'id', type: 'text' },
    { name: 'filename', type: 'text' },
    // Trac declares an int; a 64-bit column keeps attachments of 2 GiB and more on PostgreSQL
    // and MySQL, and reads Trac's existing values unchanged.
    { name: 'size', type: 'int64' },
    { name: 'time', type: 'int64' },
    { name: 'description', type: 'text' },
    { name: 'author', type: 'text' },
  ],
  key: ['type', 'id', 'filename'],
};

export const coreTables: readonly TableSpec[] = [
  systemTable, permissionTable, authCookieTable, sessionTable, sessionAttributeTable, attachmentTable,
];

/** The `system` key holding the core schema's version. */
export const CORE_VERSION_KEY = 'gatehouse_core_version';

/**
 * Version history of the core schema:
 *   1: system, permission, auth_cookie, session, session_attribute, attachment.
 */
export const CORE_SCHEMA_VERSION = 1;

export class CoreSchema implements EnvironmentSetupParticipant {
  readonly versionKey = CORE_VERSION_KEY;
  readonly version = CORE_SCHEMA_VERSION;

  /** Creates the core tables that are missing (all of them in a new environment). */
  async create(db: Database, tx: Queryable): Promise<void> {
    await createMissingTables(db, tx, coreTables);
  }

  /**
   * Version 1 is the first: an upgrade from 0 (a Trac database being adopted) only adds the
   * tables Trac did not have. Later versions add their steps here, one `if (from < N)` each.
   */
  async upgrade(db: Database, tx: Queryable, from: number): Promise<void> {
    if (from < 1) await this.create(db, tx);
  }
}
