/**
 * The request path awaits only what is really pending. Most requests are answered without
 * waiting for anything (a cached environment, a cached session, a handler that sends at once),
 * and on Node 20 every `await` costs a microtask turn and a promise or two; at tens of
 * thousands of requests a second that was a fifth of the server's time. Interfaces on that
 * path (authenticators, request handlers) may therefore answer with a value or a promise.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Only for values that went through `fromPlugin` (or our own code): native promises. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/**
 * What plugin code returned, with anything promise-like made a native promise: a promise from
 * another realm (`vm`), or an object with a `then` of its own as query builders have. Those
 * fail `instanceof Promise`, and a result taken for a value would be lost, or reject unhandled.
 */
export function fromPlugin<T>(value: T | PromiseLike<T>): MaybePromise<T> {
  if (value instanceof Promise) return value as Promise<T>;
  if (typeof (value as { then?: unknown } | null | undefined)?.then === 'function') {
    return Promise.resolve(value as PromiseLike<T>);
  }
  return value as T;
}
