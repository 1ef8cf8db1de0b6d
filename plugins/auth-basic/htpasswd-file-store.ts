/**
 * The htpasswd password store itself, independent of the component system: checks, lists and
 * changes users of one file, with the verification cache in front of the hash checks.
 */
import { randomBytes } from 'node:crypto';
import { bcryptHash, bcryptVerify } from './hashes/bcrypt';
import { GatehouseError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { hasControlCharacter } from './basic-credentials';
import { AuthBasicErrors } from './errors';
import { HtpasswdSource, type HtpasswdSnapshot } from './htpasswd-source';
import { changeHtpasswdFile } from './htpasswd-writer';
import { verifyStoredHash } from './password-hash';
import { VerificationCache } from './verification-cache';

export interface HtpasswdFileStoreSettings {
  file: string;
  allowPlaintext: boolean;
  bcryptCost: number;
  cacheSize: number;
  cacheTtlSeconds: number;
  /** Name in messages. Default `HtPasswdStore`. */
  storeName?: string;
  /** Least time between two looks at the file. Default 100 ms. */
  statIntervalMs?: number;
}

/** bcrypt as Apache's `htpasswd -B` writes it: the `$2y$` prefix, same algorithm as `$2b$`. */
export async function hashForHtpasswd(password: string, cost: number): Promise<string> {
  return bcryptHash(Buffer.from(password, 'utf8'), cost);
}

/** Refuses user names Apache could not read back from the file (or that would break a line). */
export function checkStorableUserName(user: string): void {
  const reason =
    user === '' ? 'it is empty'
      : user.includes(':') ? 'it contains a colon'
        : hasControlCharacter(user) ? 'it contains a control character'
          : user !== user.trim() ? 'it starts or ends with white space'
            : user.startsWith('#') ? 'it starts with #, which marks a comment line'
              : Buffer.byteLength(user, 'utf8') > 255 ? 'it is longer than 255 bytes'
                : '';
  if (reason) throw new GatehouseError(AuthBasicErrors.USER_NAME, { reason });
}

export function checkStorablePassword(password: string): void {
  if (password === '') throw new GatehouseError(AuthBasicErrors.PASSWORD, { reason: 'is empty' });
  if (password.includes('\0')) {
    throw new GatehouseError(AuthBasicErrors.PASSWORD, { reason: 'contains a NUL character' });
  }
}

export class HtpasswdFileStore {
  readonly source: HtpasswdSource;
  readonly cache: VerificationCache;
  private version = 0;
  private dummyHash: Promise<string> | undefined;

  constructor(readonly settings: HtpasswdFileStoreSettings, private readonly log: Logger) {
    this.source = new HtpasswdSource(settings.file, log, {
      storeName: settings.storeName ?? 'HtPasswdStore',
      statIntervalMs: settings.statIntervalMs,
    });
    this.cache = new VerificationCache({ maxEntries: settings.cacheSize,
      maxAgeMs: settings.cacheTtlSeconds * 1000 });
  }

  get file(): string {
    return this.settings.file;
  }

  /** The current file content; a new version drops the cache and reports refused lines. */
  private async snapshot(): Promise<HtpasswdSnapshot> {
    const snapshot = await this.source.current();
    if (snapshot.version !== this.version) {
      this.version = snapshot.version;
      this.cache.clear();
      if (!this.settings.allowPlaintext) {
        for (const entry of snapshot.entries.values()) {
          if (entry.format !== 'plaintext' || entry.hash === '') continue;
          this.log.warn({ file: this.file, line: entry.line, user: entry.user },
            `htpasswd line ${entry.line}: plain-text password refused `
            + '(set [auth-basic] allow_plaintext = true to accept it)');
        }
      }
    }
    return snapshot;
  }

  /** See PasswordStore.checkPassword: true, false, or null for a user this file lacks. */
  async checkPassword(user: string, password: string): Promise<boolean | null> {
    const snapshot = await this.snapshot();
    const entry = snapshot.entries.get(user);
    if (!entry) {
      // Spend what a bcrypt user costs, so timing does not tell who has an account.
      await bcryptVerify(Buffer.from(password, 'utf8'), await this.unknownUserHash());
      return null;
    }
    if (this.cache.has(user, password)) return true;

    const ok = await verifyStoredHash(password, entry.hash,
      { allowPlaintext: this.settings.allowPlaintext });
    // A file that changed during the check must not leave an old password in the cache.
    if (ok && this.version === snapshot.version) this.cache.remember(user, password);
    return ok;
  }

  async hasUser(user: string): Promise<boolean> {
    return (await this.snapshot()).entries.has(user);
  }

  async listUsers(): Promise<string[]> {
    return [...(await this.snapshot()).entries.keys()];
  }

  /** Sets a bcrypt (`$2y$`) password, creating the file and the user as needed. */
  async setPassword(user: string, password: string): Promise<boolean> {
    checkStorableUserName(user);
    checkStorablePassword(password);
    const hash = await hashForHtpasswd(password, this.settings.bcryptCost);
    const outcome = await changeHtpasswdFile(this.file, { kind: 'set', user, hash }, { create: true });
    this.afterWrite();
    this.log.info({ file: this.file, user, created: !outcome.existed }, 'htpasswd password set');
    return !outcome.existed;
  }

  async deleteUser(user: string): Promise<boolean> {
    const outcome = await changeHtpasswdFile(this.file, { kind: 'delete', user }, { create: false });
    this.afterWrite();
    if (outcome.existed) this.log.info({ file: this.file, user }, 'htpasswd user removed');
    return outcome.existed;
  }

  private afterWrite(): void {
    this.source.invalidate();
    this.cache.clear();
  }

  private unknownUserHash(): Promise<string> {
    this.dummyHash ??= hashForHtpasswd(randomBytes(18).toString('base64'), this.settings.bcryptCost);
    return this.dummyHash;
  }
}
