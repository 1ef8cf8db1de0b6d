/**
 * A generic-pool of connections that are alike (same server, user, password and database),
 * shared by every environment that uses them, inside the connection budget of their server.
 *
 * generic-pool leaves three things to us, each of which bit someone: a failing `create` is retried
 * at once and forever (we pace attempts), `acquire` waits forever without a time-out (we bound
 * every wait), and a dead connection is handed out unless `validate` says otherwise (we check on
 * borrow).
 *
 * The wait is bounded here rather than by generic-pool's acquireTimeoutMillis: a caller can then
 * be told at once that the server refuses connections, and each environment's own
 * acquire_timeout applies. A request given up on stays queued inside generic-pool without a
 * timer; when a connection reaches it, the connection goes straight back.
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

type InnerSettings = Pick<PoolSettings, 'minIdle' | 'idleTimeoutMs'> & { max: number };

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

/** A promise that never settles: what a retired pool's late create requests get. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

export function openConnection(target: ConnectionTarget, timeoutMs: number): Promise<DriverConnection> {
  return target.kind === 'postgres'
    ? PostgresConnection.connect(target, timeoutMs)
    : MysqlConnection.connect(target, timeoutMs);
}

export class ConnectionPool implements IdleConnectionHolder {
  private inner: Pool<DriverConnection>;
  private innerSettings: InnerSettings;
  /**
   * The generic-pool that created each connection (pools are rebuilt when settings change), until
   * that pool destroys it: a broken connection must still go back to be destroyed there.
   */
  private readonly homes = new Map<DriverConnection, Pool<DriverConnection>>();
  /** Connections in generic-pool's available list (a borrow takes them out through validate). */
  private readonly idle = new Set<DriverConnection>();
  /** Connections handed to callers and not given back yet. */
  private readonly borrowed = new Set<DriverConnection>();
  private waitingCount = 0;
  private failure: { reason: string; error: unknown; until: number; backoffMs: number } | undefined;
  /** The one connection attempt in flight while the server is failing: true when it connected. */
  private probe: Promise<boolean> | undefined;
  private readonly createFailures = new EventEmitter();
  private settings: PoolSettings;
  private ended = false;

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
    this.inner.start();
    budget.holders.add(this);
  }

  /** Applies the settings of an environment that (re)opened: the latest one's values rule. */
  configure(settings: PoolSettings, log: Logger): void {
    this.settings = settings;
    this.log = log;
  }

  /** Connections open to the server (broken ones waiting to be destroyed do not count). */
  private get liveCount(): number {
    let count = 0;
    for (const connection of this.homes.keys()) if (!connection.broken) count += 1;
    return count;
  }

  get figures(): PoolFigures {
    const size = this.liveCount;
    return { size, inUse: size - this.idle.size, idle: this.idle.size, waiting: this.waitingCount };
  }

  /**
   * A connection for the caller's exclusive use until `release` or `discard`. Throws
   * GH_ERR_DB_UNAVAILABLE when none comes within `timeoutMs`, or at once when the server refuses
   * new connections and this pool has none left.
   */
  async acquire(timeoutMs: number): Promise<DriverConnection> {
    if (this.ended) throw unavailable(`${this.target.label}: the pool has been closed`);
    this.rebuildIfChanged();
    if (this.failure && this.liveCount === 0 && Date.now() < this.failure.until) {
      throw unavailable(`${this.target.label}: ${this.failure.reason}`, this.failure.error);
    }

    this.waitingCount += 1;
    try {
      const connection = await this.waitForConnection(this.inner, timeoutMs);
      this.borrowed.add(connection);
      return connection;
    } finally {
      this.waitingCount -= 1;
    }
  }

  private waitForConnection(lender: Pool<DriverConnection>, timeoutMs: number): Promise<DriverConnection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const giveUp = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.createFailures.off('failed', onCreateFailed);
        reject(error);
      };
      const timer = setTimeout(() => giveUp(this.timeoutError(timeoutMs)), timeoutMs);
      // With no connection left to wait for, a refused connect means the server is away: say so
      // now instead of after acquire_timeout.
      const onCreateFailed = (reason: string, error: unknown) => {
        if (this.liveCount === 0) giveUp(unavailable(`${this.target.label}: ${reason}`, error));
      };
      this.createFailures.on('failed', onCreateFailed);

      lender.acquire().then((connection) => {
        if (settled) {
          this.giveBack(connection);
          return;
        }
        settled = true;
        clearTimeout(timer);
        this.createFailures.off('failed', onCreateFailed);
        resolve(connection);
      }, (error: unknown) => giveUp(unavailable(`${this.target.label}: ${describe(error)}`, error)));
    });
  }

  private timeoutError(timeoutMs: number): Error {
    const why = this.failure
      ? this.failure.reason
      : `all ${this.budget.max} connections allowed to ${this.budget.server} are in use`;
    return unavailable(`no connection within ${timeoutMs / 1000} s (${why})`);
  }

  /** Gives a healthy connection back: idle in the pool, or closed when not poolable. */
  release(connection: DriverConnection): void {
    if (!this.borrowed.delete(connection)) return;
    this.giveBack(connection);
  }

  /** Gives back a connection whose state is unknown (an error mid-transaction): it is closed. */
  discard(connection: DriverConnection, reason: string): void {
    connection.destroy(reason);
    this.release(connection);
  }

  private giveBack(connection: DriverConnection): void {
    const home = this.homes.get(connection);
    if (!home) return;
    // Another pool on this server waits for a slot and nobody here wants this connection:
    // closing it gives that pool the room.
    const neededElsewhere = this.budget.waiting > 0 && this.waitingCount === 0;
    if (connection.broken || !this.poolable || neededElsewhere || home !== this.inner || this.ended) {
      home.destroy(connection).catch(() => undefined);
    } else {
      this.idle.add(connection);
      home.release(connection).catch(() => undefined);
    }
  }

  closeOneIdle(): boolean {
    const [connection] = this.idle;
    if (!connection) return false;
    // generic-pool still lists it as available; validate() refuses it on the next borrow.
    connection.destroy('closed to make room for another pool on the same server');
    return true;
  }

  /**
   * Closes every connection. Requests still running get up to acquire_timeout to finish their
   * statements; a lease never given back (a bug elsewhere) must not keep the process alive.
   */
  async end(): Promise<void> {
    this.ended = true;
    this.budget.holders.delete(this);
    for (let waited = 0; this.borrowed.size > 0 && waited < this.settings.acquireTimeoutMs; waited += 20) {
      await sleep(20);
    }
    for (const connection of [...this.homes.keys()]) {
      this.homes.delete(connection);
      await connection.close();
    }
  }

  private wantedInnerSettings(): InnerSettings {
    return {
      max: this.budget.max,
      minIdle: this.poolable ? this.settings.minIdle : 0,
      idleTimeoutMs: this.settings.idleTimeoutMs,
    };
  }

  /** generic-pool's settings are fixed at creation: new values get a new pool, the old retires. */
  private rebuildIfChanged(): void {
    const wanted = this.wantedInnerSettings();
    const current = this.innerSettings;
    if (wanted.max === current.max && wanted.minIdle === current.minIdle &&
      wanted.idleTimeoutMs === current.idleTimeoutMs) {
      return;
    }
    const retired = this.inner;
    this.innerSettings = wanted;
    this.inner = this.buildInner(wanted);
    this.inner.start();
    // Its idle connections close now; borrowed ones close when they come back (giveBack).
    for (const connection of this.idle) {
      if (this.homes.get(connection) === retired) connection.destroy('pool settings changed');
    }
  }

  private buildInner(settings: InnerSettings): Pool<DriverConnection> {
    const pool: Pool<DriverConnection> = createPool<DriverConnection>({
      create: () => this.createConnection(pool),
      destroy: (connection) => {
        this.homes.delete(connection);
        return connection.close();
      },
      validate: (connection) => this.validate(connection),
    }, {
      max: settings.max,
      min: settings.minIdle,
      testOnBorrow: true,
      // Last in, first out: the busiest connections stay warm and the rest can time out.
      fifo: false,
      evictionRunIntervalMillis: Math.min(1000, settings.idleTimeoutMs),
      numTestsPerEvictionRun: settings.max,
      softIdleTimeoutMillis: settings.idleTimeoutMs,
      idleTimeoutMillis: Number.MAX_SAFE_INTEGER,
      // Started by the caller once it is `this.inner`: min_idle creates run at start, and a
      // create for a pool other than `this.inner` is refused.
      autostart: false,
    });
    // generic-pool reports create failures as events; ours are logged in openCounted.
    pool.on('factoryCreateError', () => undefined);
    pool.on('factoryDestroyError', () => undefined);
    return pool;
  }

  /**
   * generic-pool calls this once per missing connection, and again at once when it fails. While
   * the server refuses connections, only one attempt per back-off period goes out (the probe);
   * the other calls wait for its outcome instead of knocking too.
   */
  private async createConnection(home: Pool<DriverConnection>): Promise<DriverConnection> {
    while (this.failure) {
      const wait = this.failure.until - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.ended || home !== this.inner) return never();
      if (!this.failure) break;
      if (this.probe) {
        if (!(await this.probe)) throw new Error(this.failure?.reason ?? 'the database server refused');
        break;
      }
      let settleProbe: (connected: boolean) => void = () => undefined;
      this.probe = new Promise((resolve) => { settleProbe = resolve; });
      try {
        const connection = await this.openCounted(home);
        settleProbe(true);
        return connection;
      } catch (error) {
        settleProbe(false);
        throw error;
      } finally {
        this.probe = undefined;
      }
    }
    // A retired or ended pool's queue may still ask: it gets nothing, and no retry loop starts.
    if (this.ended || home !== this.inner) return never();
    return this.openCounted(home);
  }

  /** Opens one connection inside the server's budget, and keeps the figures. */
  private async openCounted(home: Pool<DriverConnection>): Promise<DriverConnection> {
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
    this.homes.set(connection, home);
    // generic-pool puts a new connection on its available list before it hands it out.
    this.idle.add(connection);
    connection.onGone(() => {
      this.idle.delete(connection);
      this.budget.give();
    });
    return connection;
  }

  /** generic-pool's check on borrow: the connection leaves the available list here. */
  private async validate(connection: DriverConnection): Promise<boolean> {
    this.idle.delete(connection);
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
