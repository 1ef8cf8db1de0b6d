/**
 * The connection budget of one database server: however many environments, databases, users and
 * pools this process has there, it holds at most `max` connections to it. Every pool asks for a
 * slot before it opens a connection and gives the slot back when the connection closes.
 */

/** A pool on this server that can give up one of its idle connections to make room. */
export interface IdleConnectionHolder {
  /** Closes one idle connection; false when it has none. */
  closeOneIdle(): boolean;
}

interface SlotWaiter {
  requester: IdleConnectionHolder;
  grant(): void;
}

export class SlotTimeoutError extends Error {
  constructor(readonly server: string, readonly max: number, readonly waitedMs: number) {
    super(`all ${max} connections allowed to ${server} stayed busy for ${waitedMs / 1000} s`);
    this.name = 'SlotTimeoutError';
  }
}

export class ServerBudget {
  private used = 0;
  private readonly waiters: SlotWaiter[] = [];
  /** Each attached environment's max_connections; the smallest is the budget. */
  private readonly limits = new Map<object, number>();
  readonly holders = new Set<IdleConnectionHolder>();
  /** The disagreement last warned about, so that 50 environments do not warn 50 times. */
  warnedLimits = '';

  constructor(readonly server: string, private readonly fallbackMax: number) {}

  get max(): number {
    return this.limits.size === 0 ? this.fallbackMax : Math.min(...this.limits.values());
  }

  /** Connections open (or opening) to this server. */
  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  setLimit(owner: object, max: number): void {
    this.limits.set(owner, max);
  }

  removeLimit(owner: object): void {
    this.limits.delete(owner);
    this.grantWaiters();
  }

  /** The limits attached environments asked for, when they disagree (for the warning). */
  distinctLimits(): number[] {
    return [...new Set(this.limits.values())].sort((a, b) => a - b);
  }

  /**
   * Takes a slot, waiting up to `timeoutMs` for one. While it waits, an idle connection of another
   * pool on this server is closed to make room: idle connections must not starve busy pools.
   */
  take(requester: IdleConnectionHolder, timeoutMs: number): Promise<void> {
    if (this.used < this.max && this.waiters.length === 0) {
      this.used += 1;
      return Promise.resolve();
    }

    return new Promise((resolve, reject) => {
      const waiter: SlotWaiter = {
        requester,
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(new SlotTimeoutError(this.server, this.max, timeoutMs));
      }, timeoutMs);
      this.waiters.push(waiter);
      this.makeRoom(requester);
    });
  }

  /** Gives a slot back (its connection closed, or opening it failed). */
  give(): void {
    this.used = Math.max(0, this.used - 1);
    this.grantWaiters();
  }

  private grantWaiters(): void {
    while (this.waiters.length > 0 && this.used < this.max) {
      this.used += 1;
      this.waiters.shift()?.grant();
    }
  }

  private makeRoom(requester: IdleConnectionHolder): void {
    for (const holder of this.holders) {
      if (holder !== requester && holder.closeOneIdle()) return;
    }
  }
}
