/**
 * `gatehouse-admin ENV db status`: where the environment's database is, the pool settings in
 * force, this process's pool figures, and how many connections Gatehouse holds on the server
 * right now (all processes: the server process's pool is not visible from the CLI otherwise).
 */
import { injectable } from 'tsyringe';
import type { AdminCommand, CliIo } from '../../core/cli/types';
import { parseDatabaseUri } from '../../core/db/uri';
import type { Database, PoolStatus } from '../../core/db/types';
import type { Environment } from '../../core/env/types';
import { Errors, GatehouseError } from '../../core/errors';
import { type ConnectionTarget, connectionTarget } from './connection-target';
import { type PoolSettings, readPoolSettings } from './options';

const USAGE = `Usage: gatehouse-admin ENV db status

  Shows the environment's database server, the [db-pool] settings in force, this process's
  pool (size, in use, idle, waiting against max_connections) and how many connections
  Gatehouse processes hold on that database now, as the server counts them.`;

/** Connections Gatehouse holds on the environment's database, counted by the server. */
async function serverCount(db: Database, target: ConnectionTarget): Promise<number> {
  const row = db.kind === 'postgres'
    ? await db.get<{ n: number }>('SELECT count(*) AS n FROM pg_stat_activity ' +
      'WHERE datname = current_database() AND application_name = ?', [target.applicationName])
    // MySQL has no application name; without the PROCESS privilege it lists this user's only.
    : await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE()');
  return row?.n ?? 0;
}

export function formatPoolStatus(status: PoolStatus): string {
  return `size ${status.size}, in use ${status.inUse}, idle ${status.idle}, waiting ${status.waiting} ` +
    `(max ${status.max}, ${status.poolable ? 'pooled' : 'one connection per request'})`;
}

function describeSettings(settings: PoolSettings): string {
  return `max_connections ${settings.maxConnections}, min_idle ${settings.minIdle}, ` +
    `idle_timeout ${settings.idleTimeoutMs / 1000} s, acquire_timeout ${settings.acquireTimeoutMs / 1000} s, ` +
    `poolable ${settings.poolable}`;
}

@injectable()
export class DbStatusCommand implements AdminCommand {
  readonly name = 'db';
  readonly summary = 'show the database connection pool (db status)';
  readonly usage = USAGE;

  async run(env: Environment, args: string[], io: CliIo): Promise<number> {
    if (args[0] !== 'status' || args.length > 1) {
      throw new GatehouseError(Errors.CLI_USAGE, { message: `db takes one subcommand: status\n${USAGE}` });
    }

    const db = env.db;
    if (db.kind === 'sqlite') {
      io.out(`database: ${env.config.raw('trac', 'database') ?? 'sqlite:db/trac.db'} ` +
        '(SQLite, inside this process: no connection pool)');
      return 0;
    }

    const target: ConnectionTarget = connectionTarget(parseDatabaseUri(env.config.raw('trac', 'database') ?? ''));
    const settings = readPoolSettings(env.config, db.kind);
    const count = await serverCount(db, target);
    const [pool] = db.poolStatus();

    io.out(`database: ${target.label}${target.schema === undefined ? '' : ` (schema ${target.schema})`}`);
    io.out(`settings: ${describeSettings(settings)}`);
    if (pool) io.out(`this process: ${formatPoolStatus(pool)}`);
    io.out(`on the server now: ${count} connection(s) from Gatehouse to this database, ` +
      'this command\'s own included');
    return 0;
  }
}
