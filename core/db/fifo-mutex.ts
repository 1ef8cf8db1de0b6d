/**
 * A first-in, first-out lock for one connection. A transaction holds it across its awaits, so
 * other callers' statements queue behind it instead of landing inside someone else's transaction.
 */
export class FifoMutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** True while someone holds the lock or waits for it (a newcomer must queue). */
  get busy(): boolean {
    return this.held || this.waiters.length > 0;
  }

  /** Resolves when the caller holds the lock; call `release()` exactly once afterwards. */
  acquire(): Promise<void> {
    if (!this.busy) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Hands the lock straight to the next waiter, so nobody can slip in between. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  async runExclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
