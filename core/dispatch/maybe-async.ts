/**
 * The request path awaits only what is really pending. Most requests are answered without
 * waiting for anything (a cached environment, a cached session, a handler that sends at once),
 * and on Node 20 every `await` costs a microtask turn and a promise or two; at tens of
 * thousands of requests a second that was a fifth of the server's time. Interfaces on that
 * path (authenticators, request handlers) may therefore answer with a value or a promise.
 */
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}
