/**
 * One memory cache per environment, shared by its chrome and attachment handlers, bounded by
 * that environment's `[files]` options. Keyed by the environment object, so it goes when the
 * environment is closed or reopened (a changed trac.ini brings new bounds).
 */
import type { Environment } from '../env/types';
import { FileCache } from './file-cache';
import { CACHE_CHECK_INTERVAL, CACHE_MAX_FILE_SIZE, CACHE_SIZE } from './options';

const caches = new WeakMap<Environment, FileCache>();

export function fileCacheFor(env: Environment): FileCache {
  let cache = caches.get(env);
  if (!cache) {
    cache = new FileCache({
      maxBytes: env.config.option(CACHE_SIZE),
      maxFileBytes: env.config.option(CACHE_MAX_FILE_SIZE),
      checkIntervalMs: env.config.option(CACHE_CHECK_INTERVAL),
    });
    caches.set(env, cache);
  }
  return cache;
}
