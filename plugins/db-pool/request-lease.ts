/**
 * The connection one request (one RequestScope) uses for one environment. Every database call
 * of the request goes through it, one at a time, so a request never holds two connections of a
 * pool and never waits for a second one while holding the first.
 *
 * Pooled: the connection goes back to the pool as soon as the request stops using it for a turn
 * of the event loop (while it hashes a password, say), so that a slow request does not sit on a
 * connection others could use; back-to-back statements keep it. Not poolable: the request keeps
 * its connection until it ends, and the connection is then closed.
 */
import { FifoMutex } from '../../core/db/fifo-mutex';
import type { DriverConnection } from './drivers/driver-connection';

export interface ConnectionSource {
  /** A connection ready for this environment (its search_path set), for exclusive use. */
  checkout(): Promise<DriverConnection>;
  /** Gives it back: to the pool when healthy, closed when broken or not poolable. */
  checkin(connection: DriverConnection): void;
}

export class RequestLease {
  private connection: DriverConnection | undefined;
  private readonly mutex = new FifoMutex();
  private active = 0;
  private idleRelease: NodeJS.Immediate | undefined;
  private ended = false;

  constructor(private readonly source: ConnectionSource, private readonly holdUntilEnd: boolean) {}

  /** Runs `work` with the request's connection, taking one from the pool first if needed. */
  async use<T>(work: (connection: DriverConnection) => Promise<T>): Promise<T> {
    this.active += 1;
    this.cancelIdleRelease();
    try {
      return await this.mutex.runExclusive(async () => {
        const connection = await this.take();
        try {
          return await work(connection);
        } finally {
          if (connection.broken) this.giveBack();
        }
      });
    } finally {
      this.active -= 1;
      if (this.active === 0) this.afterUse();
    }
  }

  /** The request is over: its connection goes back (or is closed). */
  end(): void {
    this.ended = true;
    this.cancelIdleRelease();
    if (this.active === 0) this.giveBack();
  }

  private async take(): Promise<DriverConnection> {
    if (this.connection?.broken) this.giveBack();
    this.connection ??= await this.source.checkout();
    return this.connection;
  }

  private giveBack(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) this.source.checkin(connection);
  }

  private afterUse(): void {
    if (this.ended) {
      this.giveBack();
      return;
    }
    if (this.holdUntilEnd || !this.connection) return;
    this.idleRelease = setImmediate(() => {
      this.idleRelease = undefined;
      if (this.active === 0) this.giveBack();
    });
  }

  private cancelIdleRelease(): void {
    if (this.idleRelease) clearImmediate(this.idleRelease);
    this.idleRelease = undefined;
  }
}
