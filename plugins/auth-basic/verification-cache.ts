/**
 * Remembers recent successful password checks, as Apache's mod_authn_socache does, so a client
 * that sends the same Basic header on every request pays for bcrypt once.
 *
 * Entries are keyed by HMAC-SHA256 under a random key made when the cache is made, over the user
 * name, a NUL and the password: neither the password nor an unkeyed hash of it is ever held, and
 * the key never leaves memory. Only successes are stored; a failed check always runs in full.
 * The owner clears the cache when the password file changes.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface VerificationCacheOptions {
  /** Most entries kept; the least recently used goes first. 0 turns the cache off. */
  maxEntries: number;
  /** How long a success is trusted, in milliseconds. 0 turns the cache off. */
  maxAgeMs: number;
  /** Clock, for tests that step time. */
  now?: () => number;
}

export class VerificationCache {
  private readonly key = randomBytes(32);
  /** Map order is use order: the first key is the least recently used. */
  private readonly entries = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: VerificationCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.maxEntries > 0 && this.options.maxAgeMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private keyOf(user: string, password: string | Buffer): string {
    return createHmac('sha256', this.key).update(user).update('\0').update(password).digest('base64');
  }

  /** Whether this exact user and password succeeded recently. */
  has(user: string, password: string | Buffer): boolean {
    if (!this.enabled) return false;
    const key = this.keyOf(user, password);
    const expires = this.entries.get(key);
    if (expires === undefined) return false;
    this.entries.delete(key);
    if (expires <= this.now()) return false;
    this.entries.set(key, expires);
    return true;
  }

  /** Records a successful check. */
  remember(user: string, password: string | Buffer): void {
    if (!this.enabled) return;
    const key = this.keyOf(user, password);
    this.entries.delete(key);
    this.entries.set(key, this.now() + this.options.maxAgeMs);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
