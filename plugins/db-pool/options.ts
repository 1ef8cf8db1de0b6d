/**
 * The `[db-pool]` options. The pool is per database server and shared by every environment that
 * uses that server, so these values describe the server's pool; docs/db-pool.md says which
 * environment's value wins when environments disagree.
 */
import { defineOption } from '../../core/config/options';
import type { ConfigView } from '../../core/config/types';

const section = 'db-pool';

export const maxConnectionsOption = defineOption({
  section, name: 'max_connections', type: 'int', default: 10, min: 1, max: 10_000,
  doc: 'Connections this process may hold to one database server, shared by every environment using it.',
});

export const minIdleOption = defineOption({
  section, name: 'min_idle', type: 'int', default: 0, min: 0, max: 10_000,
  doc: 'Connections kept open to the database even when nothing uses them.',
});

export const idleTimeoutOption = defineOption({
  section, name: 'idle_timeout', type: 'float', default: 30, min: 0.1, max: 86_400,
  doc: 'Seconds an unused connection stays open before it is closed (min_idle stay open).',
});

export const acquireTimeoutOption = defineOption({
  section, name: 'acquire_timeout', type: 'float', default: 5, min: 0.1, max: 3600,
  doc: 'Seconds a request waits for a free connection before it gets a 503 page.',
});

export const postgresPoolableOption = defineOption({
  section, name: 'postgres.poolable', type: 'bool', default: true,
  doc: 'false: every request opens its own PostgreSQL connection and closes it when it ends.',
});

export const mysqlPoolableOption = defineOption({
  section, name: 'mysql.poolable', type: 'bool', default: true,
  doc: 'false: every request opens its own MySQL connection and closes it when it ends.',
});

export const dbPoolOptions = [
  maxConnectionsOption, minIdleOption, idleTimeoutOption, acquireTimeoutOption,
  postgresPoolableOption, mysqlPoolableOption,
];

/** One environment's pool settings, in the units the pool uses. */
export interface PoolSettings {
  maxConnections: number;
  minIdle: number;
  idleTimeoutMs: number;
  acquireTimeoutMs: number;
  poolable: boolean;
}

export function readPoolSettings(config: ConfigView, kind: 'postgres' | 'mysql'): PoolSettings {
  const maxConnections = config.option(maxConnectionsOption);
  return {
    maxConnections,
    // More idle connections than the budget could never be open at once.
    minIdle: Math.min(config.option(minIdleOption), maxConnections),
    idleTimeoutMs: Math.round(config.option(idleTimeoutOption) * 1000),
    acquireTimeoutMs: Math.round(config.option(acquireTimeoutOption) * 1000),
    poolable: config.option(kind === 'postgres' ? postgresPoolableOption : mysqlPoolableOption),
  };
}
