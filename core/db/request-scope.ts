import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The scope of one HTTP request (or one CLI command). dispatchRequest runs each request inside
 * one, so a database backend can hand every nested call of that request the same connection and
 * release it when the request ends, on every path, errors included.
 */
export class RequestScope {
  private readonly finishers: Array<() => Promise<void> | void> = [];
  /** Per-scope values keyed by their owner (a pool keeps its leased connection here). */
  readonly values = new Map<unknown, unknown>();

  /** Runs `finisher` when the scope ends, last registered first. */
  onEnd(finisher: () => Promise<void> | void): void {
    this.finishers.push(finisher);
  }

  async end(): Promise<void> {
    while (this.finishers.length > 0) {
      const finisher = this.finishers.pop();
      try {
        await finisher?.();
      } catch {
        // A finisher failing (a connection that died) must not stop the others from running.
      }
    }
  }
}

const storage = new AsyncLocalStorage<RequestScope>();

export async function runInRequestScope<T>(fn: () => Promise<T>): Promise<T> {
  const scope = new RequestScope();
  try {
    return await storage.run(scope, fn);
  } finally {
    await scope.end();
  }
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
