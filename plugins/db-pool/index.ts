/**
 * The db-pool plugin: PostgreSQL (pg) and MySQL/MariaDB (mysql2) for `[trac] database`, pooled
 * with generic-pool under one connection budget per database server. docs/db-pool.md explains
 * the options, the `db status` command and the error codes.
 */
import { definePlugin } from '../../core/components/plugin';
import { ADMIN_COMMAND, DATABASE_BACKEND } from '../../core/components/tokens';
import { MysqlBackend, PostgresBackend } from './backends';
import { DbStatusCommand } from './db-status-command';
import { dbPoolOptions } from './options';

export default definePlugin({
  name: 'db-pool',
  description: 'PostgreSQL and MySQL databases, pooled, with one connection budget per server',
  components: [
    { name: 'PostgresBackend', class: PostgresBackend, provides: [DATABASE_BACKEND] },
    { name: 'MysqlBackend', class: MysqlBackend, provides: [DATABASE_BACKEND] },
    { name: 'DbStatusCommand', class: DbStatusCommand, provides: [ADMIN_COMMAND] },
  ],
  options: dbPoolOptions,
});
