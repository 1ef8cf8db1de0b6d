/**
 * A generic-pool of connections that are alike (same server, user, password and database),
 * shared by every environment that uses them, inside the connection budget of their server.
 *
 * generic-pool leaves three things to us, each of which bit someone: a failing `create` is retried
 * at once and forever (we back off), `acquire` waits forever without a time-out (we always set
 * one), and a dead connection is handed out unless `validate` says otherwise (we check on borrow).
 */
import { EventEmitter } from 'node:events';
import { createPool, type Pool } from 'generic-pool';
import type { Logger } from '../../../core/log';
import type { ConnectionTarget } from '../connection-target';
import type { DriverConnection } from '../drivers/driver-connection';
import { MysqlConnection } from '../drivers/mysql-connection';
import { PostgresConnection } from '../drivers/postgres-connection';
import { unavailable } from '../errors';
import type { PoolSettings } from '../options';
import { type IdleConnectionHolder, type ServerBudget, SlotTimeoutError } from './server-budget';

/** A connection idle this long is pinged before it is handed out again. */
const pingAfterIdleMs = 1000;
const firstBackoffMs = 200;
const longestBackoffMs = 2000;

export interface PoolFigures {
  size: number;
  inUse: number;
  idle: number;
  waiting: number;
}

type InnerSettings = Omit<PoolSettings, 'maxConnections' | 'poolable'> & { max: number };

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // Node's socket errors carry an empty message when an AggregateError wraps IPv4 and IPv6 tries.
    return error.message || (typeof code === 'string' ? code : error.name);
  }
  return String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function openConnection(target: ConnectionTarget, timeoutMs: number): Promise<DriverConnection> {
  return target.kind === 'postgres'
    ? PostgresConnection.connect(target, timeoutMs)
    : MysqlConnection.connect(target, timeoutMs);
}

export class ConnectionPool implements IdleConnectionHolder {
  private inner: Pool<DriverConnection>;
  private innerSettings: InnerSettings;
  /** The generic-pool each borrowed connection must go back to (pools are rebuilt on changes). */
  private readonly lenders = new Map<DriverConnection, Pool<DriverConnection>>();
  private readonly live = new Set<DriverConnection>();
  private waitingCount = 0;
  private failure: { reason: string; error: unknown; until: number; backoffMs: number } | undefined;
  private readonly createFailures = new EventEmitter();
  private settings: PoolSettings;

  constructor(
    readonly target: ConnectionTarget,
    readonly poolable: boolean,
    private readonly budget: ServerBudget,
    settings: PoolSettings,
    private log: Logger,
  ) {
    this.settings = settings;
    this.createFailures.setMaxListeners(0);
    this.innerSettings = this.wantedInnerSettings();
    this.inner = this.buildInner(this.innerSettings);
    budget.holders.add(this);
  }

  /** Applies the settings of an environment that (re)opened: the latest one's values rule. */
  configure(settings: PoolSettings, log: Logger): void {
    this.settings = settings;
    this.log = log;
  }

  get figures(): PoolFigures {
    const inUse = [...this.lenders.keys()].filter((connection) => !connection.broken).length;
    return {
      size: this.live.size,
      inUse,
      idle: Math.max(0, this.live.size - inUse),
      waiting: this.waitingCount,
    };
  }

  /**
   * A connection for the caller's exclusive use until `release` or `discard`. Throws
   * GH_ERR_DB_UNAVAILABLE when none comes within acquire_timeout, or at once when the server
   * refuses new connections and this pool has none left.
   */
  async acquire(): Promise<DriverConnection> {
    this.rebuildIfChanged();
    if (this.failure && this.live.size === 0 && Date.now() < this.failure.until) {
      throw unavailable(`${this.target.label}: ${this.failure.reason}`, this.failure.error);
    }

    const lender = this.inner;
    this.waitingCount += 1;
    try {
      const connection = await this.acquireFrom(lender);
      this.lenders.set(connection, lender);
      return connection;
    } finally {
      this.waitingCount -= 1;
    }
  }

  private acquireFrom(lender: Pool<DriverConnection>): Promise<DriverConnection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        this.createFailures.off('failed', onCreateFailed);
      };
      // With no connection left to wait for, a refused connect means the server is away: say so
      // now instead of after acquire_timeout.
      const onCreateFailed = (reason: string, error: unknown) => {
        if (settled || this.live.size > 0) return;
        settle();
        reject(unavailable(`${this.target.label}: ${reason}`, error));
      };
      this.createFailures.on('failed', onCreateFailed);

      lender.acquire().then((connection) => {
        if (settled) {
          // The caller gave up already; the request was still queued in generic-pool.
          this.returnTo(lender, connection);
          return;
        }
        settle();
        resolve(connection);
      }, (error: unknown) => {
        if (settled) return;
        settle();
        reject(this.acquireError(error));
      });
    });
  }

  private acquireError(error: unknown): Error {
    if (error instanceof Error && error.name === 'TimeoutError') {
      const seconds = this.innerSettings.acquireTimeoutMs / 1000;
      const why = this.failure
        ? this.failure.reason
        : `all ${this.budget.max} connections allowed to ${this.budget.server} are in use`;
      return unavailable(`no connection within ${seconds} s (${why})`, error);
    }
    return unavailable(`${this.target.label}: ${describe(error)}`, error);
  }

  /** Gives a healthy connection back: idle in the pool, or closed when not poolable. */
  release(connection: DriverConnection): void {
    const lender = this.lenders.get(connection);
    if (!lender) return;
    this.lenders.delete(connection);
    this.returnTo(lender, connection);
  }

  private returnTo(lender: Pool<DriverConnection>, connection: DriverConnection): void {
    // Another pool on this server waits for a slot and nobody here wants this connection:
    // closing it gives that pool the room.
    const neededElsewhere = this.budget.waiting > 0 && this.waitingCount === 0;
    if (connection.broken || !this.poolable || neededElsewhere || lender !== this.inner) {
      lender.destroy(connection).catch(() => undefined);
    } else {
      lender.release(connection).catch(() => undefined);
    }
  }

  /** Gives back a connection whose state is unknown (an error mid-transaction): it is closed. */
  discard(connection: DriverConnection, reason: string): void {
    connection.destroy(reason);
    this.release(connection);
  }

  closeOneIdle(): boolean {
    for (const connection of this.live) {
      if (!this.lenders.has(connection)) {
        // generic-pool still lists it as available; validate() refuses it on the next borrow.
        connection.destroy('closed to make room for another pool on the same server');
        return true;
      }
    }
    return false;
  }

  /** Closes every connection; the pool cannot be used afterwards. */
  async end(): Promise<void> {
    this.budget.holders.delete(this);
    const inner = this.inner;
    // Requests still running get to finish their statements; a lease never given back (a bug
    // elsewhere) must not keep the pool, and the process, alive forever.
    await Promise.race([inner.drain(), sleep(Math.max(1000, this.settings.acquireTimeoutMs))]);
    await inner.clear();
    for (const connection of this.live) connection.destroy('pool ended');
  }

  private wantedInnerSettings(): InnerSettings {
    return {
      max: this.budget.max,
      minIdle: this.poolable ? this.settings.minIdle : 0,
      idleTimeoutMs: this.settings.idleTimeoutMs,
      acquireTimeoutMs: this.settings.acquireTimeoutMs,
    };
  }

  /** generic-pool's settings are fixed at creation: new values get a new pool, the old drains. */
  private rebuildIfChanged(): void {
    const wanted = this.wantedInnerSettings();
    const current = this.innerSettings;
    if (wanted.max === current.max && wanted.minIdle === current.minIdle &&
      wanted.idleTimeoutMs === current.idleTimeoutMs && wanted.acquireTimeoutMs === current.acquireTimeoutMs) {
      return;
    }
    const retired = this.inner;
    this.innerSettings = wanted;
    this.inner = this.buildInner(wanted);
    retired.drain().then(() => retired.clear()).catch(() => undefined);
  }

  private buildInner(settings: InnerSettings): Pool<DriverConnection> {
    const pool = createPool<DriverConnection>({
      create: () => this.createConnection(),
      destroy: (connection) => connection.close(),
      validate: (connection) => this.validate(connection),
    }, {
      max: settings.max,
      min: settings.minIdle,
      acquireTimeoutMillis: settings.acquireTimeoutMs,
      testOnBorrow: true,
      // Last in, first out: the busiest connections stay warm and the rest can time out.
      fifo: false,
      evictionRunIntervalMillis: Math.min(1000, settings.idleTimeoutMs),
      numTestsPerEvictionRun: settings.max,
      softIdleTimeoutMillis: settings.idleTimeoutMs,
      idleTimeoutMillis: Number.MAX_SAFE_INTEGER,
    });
    // generic-pool reports create failures as events; ours are logged in createConnection.
    pool.on('factoryCreateError', () => undefined);
    pool.on('factoryDestroyError', () => undefined);
    return pool;
  }

  private async createConnection(): Promise<DriverConnection> {
    if (this.failure && Date.now() < this.failure.until) await sleep(this.failure.until - Date.now());

    await this.budget.take(this, this.settings.acquireTimeoutMs).catch((error: unknown) => {
      if (!(error instanceof SlotTimeoutError)) throw error;
      // generic-pool asks again at once when a create fails: pause so that is no busy loop.
      return sleep(firstBackoffMs).then(() => { throw error; });
    });

    let connection: DriverConnection;
    try {
      connection = await openConnection(this.target, this.settings.acquireTimeoutMs);
    } catch (error) {
      this.budget.give();
      this.noteFailure(error);
      throw error;
    }

    this.noteSuccess();
    this.live.add(connection);
    connection.onGone(() => {
      this.live.delete(connection);
      this.budget.give();
    });
    return connection;
  }

  private async validate(connection: DriverConnection): Promise<boolean> {
    if (connection.broken) return false;
    if (Date.now() - connection.lastUsedAt < pingAfterIdleMs) return true;

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no answer to a ping')), this.settings.acquireTimeoutMs);
    });
    try {
      await Promise.race([connection.control('SELECT 1'), timeout]);
      return !connection.broken;
    } catch (error) {
      connection.destroy(`failed its check before reuse: ${describe(error)}`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private noteFailure(error: unknown): void {
    const reason = describe(error);
    const backoffMs = this.failure
      ? Math.min(this.failure.backoffMs * 2, longestBackoffMs)
      : firstBackoffMs;
    if (!this.failure) {
      this.log.error({ dbServer: this.target.label, reason }, 'cannot connect to the database server');
    }
    this.failure = { reason, error, until: Date.now() + backoffMs, backoffMs };
    this.createFailures.emit('failed', reason, error);
  }

  private noteSuccess(): void {
    if (this.failure) {
      this.log.info({ dbServer: this.target.label }, 'connected to the database server again');
    }
    this.failure = undefined;
  }
}
