/**
 * The process-wide list of pools. This is the one piece of process-global state in the plugin,
 * on purpose: the connection budget belongs to a database server, not to an environment, so all
 * environments of the process that use one server must count against the same budget. Nothing
 * about an environment lives here beyond its settings while it is open.
 */
import type { PoolStatus } from '../../../core/db/types';
import type { Logger } from '../../../core/log';
import type { ConnectionTarget } from '../connection-target';
import type { PoolSettings } from '../options';
import { ConnectionPool } from './connection-pool';
import { ServerBudget } from './server-budget';

interface PoolEntry {
  pool: ConnectionPool;
  /** Each attached environment (its Database object) and the settings it asked for. */
  owners: Map<object, PoolSettings>;
}

const budgets = new Map<string, ServerBudget>();
const pools = new Map<string, PoolEntry>();

export interface PoolAttachment {
  readonly pool: ConnectionPool;
  readonly budget: ServerBudget;
  /** Ends this environment's use; the last user's detach closes the pool's connections. */
  detach(): Promise<void>;
}

/** Settings that belong to the shared pool (acquire_timeout is each environment's own). */
function settingsDiffer(a: PoolSettings, b: PoolSettings): boolean {
  return a.minIdle !== b.minIdle || a.idleTimeoutMs !== b.idleTimeoutMs;
}

export function attachPool(target: ConnectionTarget, settings: PoolSettings, log: Logger,
  owner: object): PoolAttachment {
  let budget = budgets.get(target.serverKey);
  if (!budget) {
    budget = new ServerBudget(target.serverKey, settings.maxConnections);
    budgets.set(target.serverKey, budget);
  }
  budget.setLimit(owner, settings.maxConnections);
  const limits = budget.distinctLimits();
  if (limits.length > 1 && budget.warnedLimits !== limits.join()) {
    budget.warnedLimits = limits.join();
    log.warn({ dbServer: target.serverKey, limits },
      `environments sharing ${target.serverKey} disagree on [db-pool] max_connections; ` +
      `the smallest (${limits[0]}) is the budget for the server`);
  }

  // A poolable pool and a one-connection-per-request pool do not share connections.
  const key = `${target.poolKey}\u0000${settings.poolable ? 'pooled' : 'unpooled'}`;
  let entry = pools.get(key);
  if (!entry) {
    entry = { pool: new ConnectionPool(target, settings.poolable, budget, settings, log), owners: new Map() };
    pools.set(key, entry);
  } else {
    if ([...entry.owners.values()].some((other) => settingsDiffer(other, settings))) {
      log.warn({ dbServer: target.label },
        `environments sharing ${target.label} disagree on [db-pool] min_idle or idle_timeout; ` +
        'the pool follows the environment opened last');
    }
    entry.pool.configure(settings, log);
  }
  entry.owners.set(owner, settings);

  const attached = entry;
  const attachedBudget = budget;
  let detached = false;
  return {
    pool: attached.pool,
    budget: attachedBudget,
    async detach() {
      if (detached) return;
      detached = true;
      attached.owners.delete(owner);
      attachedBudget.removeLimit(owner);
      if (attached.owners.size > 0) return;

      pools.delete(key);
      await attached.pool.end();
      if (attachedBudget.holders.size === 0 && budgets.get(target.serverKey) === attachedBudget) {
        budgets.delete(target.serverKey);
      }
    },
  };
}

/** Figures for one server, summed over its pools (one per database and user). */
export function serverStatus(server: string, poolable: boolean): PoolStatus | undefined {
  const budget = budgets.get(server);
  if (!budget) return undefined;
  const figures = { size: 0, inUse: 0, idle: 0, waiting: 0 };
  for (const { pool } of pools.values()) {
    if (pool.target.serverKey !== server) continue;
    const own = pool.figures;
    figures.size += own.size;
    figures.inUse += own.inUse;
    figures.idle += own.idle;
    figures.waiting += own.waiting;
  }
  return { server, poolable, max: budget.max, ...figures };
}

/** Every server this process has connections to, for an overview. */
export function allServerStatus(): PoolStatus[] {
  return [...budgets.keys()].sort().map((server) => {
    const poolable = [...pools.values()].some(({ pool }) => pool.target.serverKey === server && pool.poolable);
    return serverStatus(server, poolable) as PoolStatus;
  });
}
