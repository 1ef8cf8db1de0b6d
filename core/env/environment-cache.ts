/**
 * Environments are opened on first use, cached by absolute path, and reopened when their
 * trac.ini (or an [inherit] file, or their plugins folder) changes. Reopening one environment
 * closes only that environment's resources, once the requests still using it have finished.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';
import { GatehouseEnvironment, openEnvironment } from './environment';
import { configFingerprint } from '../config/config';
import { requireCurrentSchema } from '../db/setup';
import { Errors, GatehouseError, isGatehouseError } from '../errors';

/** How often a cached environment's files are checked for changes. */
const CHANGE_CHECK_INTERVAL_MS = 250;
/** How long a failed open is remembered before the next request tries again. */
const FAILURE_RETRY_MS = 1000;
/** Paths given to acquire() are remembered resolved; a parent dir has at most this many. */
const MAX_REMEMBERED_PATHS = 10_000;

export interface Lease {
  env: GatehouseEnvironment;
  release(): void;
}

interface Entry {
  env?: GatehouseEnvironment;
  opening?: Promise<GatehouseEnvironment>;
  fingerprint: string;
  checkedAt: number;
  checking?: Promise<void>;
  failure?: { error: GatehouseError; at: number };
  /** Requests holding each environment of this path (an old one until they finish). */
  inFlight: Map<GatehouseEnvironment, { count: number }>;
  /** The files the last open read, to fingerprint before the next read. */
  files?: readonly string[];
}

/**
 * What the environment's plugins/ folder holds: each entry, and for a plugin folder its entry
 * module and package.json, so editing a plugin's index.js reopens the environment too.
 */
async function pluginsFingerprint(envPath: string): Promise<string> {
  const folder = path.join(envPath, 'plugins');
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return '';
  }
  const candidates = names.flatMap((name) => [name, `${name}/index.js`, `${name}/index.cjs`, `${name}/package.json`]);
  const stats = await Promise.all(candidates.map(async (name) => {
    const stat = await fs.stat(path.join(folder, name)).catch(() => undefined);
    return stat ? `${name}:${stat.mtimeMs}:${stat.size}` : '';
  }));
  return stats.filter(Boolean).join(',');
}

/** Releases once, however often release() is called. */
class EnvironmentLease implements Lease {
  private released = false;

  constructor(private readonly cache: EnvironmentCache, private readonly entry: Entry,
    readonly env: GatehouseEnvironment, private readonly holders: { count: number }) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.holders.count -= 1;
    // The current environment keeps its (empty) counter; a replaced one is closed once unused.
    if (this.holders.count === 0 && this.entry.env !== this.env) this.cache.closeIfUnused(this.entry, this.env);
  }
}

export class EnvironmentCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: Logger) {}

  private async fingerprintOf(envPath: string, files: readonly string[]): Promise<string> {
    const [config, plugins] = await Promise.all([configFingerprint(files), pluginsFingerprint(envPath)]);
    return `${config}|${plugins}`;
  }

  /** Absolute paths by the path asked for: resolving on every request costs a cwd lookup. */
  private readonly keys = new Map<string, string>();

  private keyOf(envPath: string): string {
    let key = this.keys.get(envPath);
    if (key === undefined) {
      key = path.resolve(envPath);
      if (this.keys.size >= MAX_REMEMBERED_PATHS) this.keys.clear();
      this.keys.set(envPath, key);
    }
    return key;
  }

  /**
   * The environment at `envPath` without waiting, when it is open and was checked for changes
   * within the interval (nearly every request); undefined when `acquire` must open or check it.
   */
  acquireNow(envPath: string): Lease | undefined {
    const entry = this.entries.get(this.keyOf(envPath));
    const env = entry?.env;
    if (!entry || !env || Date.now() - entry.checkedAt >= CHANGE_CHECK_INTERVAL_MS) return undefined;
    return this.lease(entry, env);
  }

  /** The environment at `envPath`, opened or reopened as needed, held until `release()`. */
  async acquire(envPath: string, name: string): Promise<Lease> {
    const key = this.keyOf(envPath);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { fingerprint: '', checkedAt: 0, inFlight: new Map() };
      this.entries.set(key, entry);
    }
    const env = await this.current(key, name, entry);
    return this.lease(entry, env);
  }

  /** Counts the request in, so a replaced environment closes only once its requests are done. */
  private lease(entry: Entry, env: GatehouseEnvironment): Lease {
    let holders = entry.inFlight.get(env);
    if (!holders) {
      holders = { count: 0 };
      entry.inFlight.set(env, holders);
    }
    holders.count += 1;
    return new EnvironmentLease(this, entry, env, holders);
  }

  /**
   * The folder is no longer an environment (removed, renamed, hidden by .tracignore): forget
   * it, and close what it had open once no request holds it.
   */
  forget(envPath: string): void {
    const key = this.keyOf(envPath);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const env = entry.env;
    entry.env = undefined;
    if (env) this.closeIfUnused(entry, env);
  }

  /**
   * An environment that is no longer its entry's current one: closed now when no request holds
   * it, else by its last lease's release.
   */
  closeIfUnused(entry: Entry, env: GatehouseEnvironment): void {
    if (entry.inFlight.get(env)?.count) return;
    entry.inFlight.delete(env);
    void this.closeQuietly(env);
  }

  private async current(key: string, name: string, entry: Entry): Promise<GatehouseEnvironment> {
    const now = Date.now();
    if (entry.env && now - entry.checkedAt < CHANGE_CHECK_INTERVAL_MS) return entry.env;
    if (entry.failure && now - entry.failure.at < FAILURE_RETRY_MS) throw entry.failure.error;
    if (entry.opening) return entry.opening;
    if (entry.env) {
      entry.checking ??= this.checkForChanges(key, entry).finally(() => { entry.checking = undefined; });
      await entry.checking;
      if (entry.env) return entry.env;
      // Every request that waited for the check lands here: the first one reopens, the others
      // wait for that same opening.
      if (entry.opening) return entry.opening;
    }
    entry.opening = this.open(key, name, entry).finally(() => { entry.opening = undefined; });
    return entry.opening;
  }

  private async checkForChanges(key: string, entry: Entry): Promise<void> {
    const env = entry.env;
    if (!env) return;
    const fingerprint = await this.fingerprintOf(key, env.config.files);
    entry.checkedAt = Date.now();
    if (fingerprint === entry.fingerprint) return;
    this.log.info({ env: env.logName }, 'configuration changed; reopening environment');
    entry.env = undefined;
    this.closeIfUnused(entry, env);
  }

  private async open(key: string, name: string, entry: Entry): Promise<GatehouseEnvironment> {
    // Fingerprint before reading: a file rewritten while it is read (a half-written trac.ini)
    // must not be cached as current. If the files changed meanwhile, the fingerprint kept is
    // one no check will match, so the next request after the interval reopens.
    const knownFiles = entry.files ?? [path.join(key, 'conf', 'trac.ini')];
    const before = await this.fingerprintOf(key, knownFiles);
    try {
      const env = await openEnvironment(key, { name, log: this.log });
      try {
        // A schema behind the code would fail in odd places: refuse to serve until `upgrade`.
        await requireCurrentSchema(env.db, env.setupParticipants(), key);
      } catch (error) {
        await this.closeQuietly(env);
        throw error;
      }
      if (this.entries.get(key) !== entry) {
        // The folder stopped being an environment while it opened (forget()): nothing would
        // ever close what was just opened.
        await this.closeQuietly(env);
        throw new GatehouseError(Errors.ENV_NOT_FOUND, { name: name || path.basename(key) });
      }
      const previous = entry.env;
      entry.env = env;
      if (previous && previous !== env) this.closeIfUnused(entry, previous);
      entry.files = env.config.files;
      const after = await this.fingerprintOf(key, env.config.files);
      const sameFiles = knownFiles.length === env.config.files.length
        && knownFiles.every((file, i) => file === env.config.files[i]);
      entry.fingerprint = sameFiles && before === after ? after : `changed while read: ${after}`;
      entry.checkedAt = Date.now();
      entry.failure = undefined;
      return env;
    } catch (error) {
      // A database that cannot answer (503) or a request-level error keeps its own code and
      // status; anything else is an environment that failed to open, logged once here.
      const keep = isGatehouseError(error) && error.status !== 500;
      const failure = keep ? error : new GatehouseError(Errors.ENV_OPEN_FAILED, {
        name: name || path.basename(key),
        reason: error instanceof Error ? error.message : String(error),
      }, { cause: error });
      if (!keep) {
        this.log.error({ env: name || path.basename(key), err: error, code: failure.code },
          'environment failed to open');
      }
      entry.failure = { error: failure, at: Date.now() };
      throw failure;
    }
  }

  private async closeQuietly(env: GatehouseEnvironment): Promise<void> {
    try {
      await env.close();
    } catch (error) {
      this.log.warn({ env: env.name, err: error }, 'closing a replaced environment failed');
    }
  }

  /** Closes every environment (shutdown). */
  async closeAll(): Promise<void> {
    const envs = [...this.entries.values()].flatMap((entry) => [entry.env, ...entry.inFlight.keys()]);
    this.entries.clear();
    await Promise.all([...new Set(envs)].filter((env): env is GatehouseEnvironment => !!env)
      .map((env) => this.closeQuietly(env)));
  }
}
