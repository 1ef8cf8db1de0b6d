/**
 * Keeps the parsed content of one htpasswd file current. Each use looks at the file again
 * (at most once per `statIntervalMs`) and re-reads it when its identity changed: `htpasswd`
 * writes a new file and renames it over the old one, so the inode changes; an editor saving in
 * place changes the size or the modification time. No watcher and no restart are needed.
 *
 * A file that is missing or unreadable makes every check fail with GH_ERR_AUTH_STORE_UNAVAILABLE:
 * nobody gets in on a guess.
 */
import fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { Errors, GatehouseError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { parseHtpasswd, type ParsedHtpasswd } from './htpasswd-parser';

export interface HtpasswdSnapshot extends ParsedHtpasswd {
  /** Grows by one each time different content is read. */
  version: number;
}

export interface HtpasswdSourceOptions {
  /** Name of the store in error messages. */
  storeName: string;
  /** Least time between two looks at the file. Default 100 ms. */
  statIntervalMs?: number;
}

function identityOf(stats: Stats): string {
  return [stats.dev, stats.ino, stats.size, stats.mtimeMs, stats.ctimeMs].join(':');
}

export class HtpasswdSource {
  private snapshot: HtpasswdSnapshot | undefined;
  private identity = '';
  private lastLook = 0;
  private pending: Promise<HtpasswdSnapshot> | undefined;
  /** The last failure reported, so a broken file is logged once, not on every request. */
  private failureLogged = '';

  constructor(readonly file: string, private readonly log: Logger,
    private readonly options: HtpasswdSourceOptions) {}

  /** The current content; throws GH_ERR_AUTH_STORE_UNAVAILABLE when the file cannot be read. */
  async current(): Promise<HtpasswdSnapshot> {
    const interval = this.options.statIntervalMs ?? 100;
    if (this.snapshot && Date.now() - this.lastLook < interval) return this.snapshot;
    // Concurrent requests share one look at the file.
    this.pending ??= this.look().finally(() => { this.pending = undefined; });
    return this.pending;
  }

  /** Forgets when the file was last looked at, so the next use looks again (after a write). */
  invalidate(): void {
    this.lastLook = 0;
  }

  private async look(): Promise<HtpasswdSnapshot> {
    let handle: fs.FileHandle | undefined;
    try {
      // One open file for both the identity and the content, so they always belong together.
      handle = await fs.open(this.file, 'r');
      const stats = await handle.stat();
      if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      const identity = identityOf(stats);
      if (this.snapshot && identity === this.identity) {
        this.lastLook = Date.now();
        return this.snapshot;
      }

      const text = await handle.readFile('utf8');
      const parsed = parseHtpasswd(text);
      this.snapshot = { ...parsed, version: (this.snapshot?.version ?? 0) + 1 };
      this.identity = identity;
      this.lastLook = Date.now();
      this.reportLoaded(this.snapshot);
      return this.snapshot;
    } catch (error) {
      throw this.unavailable(error as NodeJS.ErrnoException);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private reportLoaded(snapshot: HtpasswdSnapshot): void {
    if (this.failureLogged) {
      this.log.info({ file: this.file }, 'htpasswd file readable again');
      this.failureLogged = '';
    }
    // Problems are reported once per version of the file, each with its line number.
    for (const problem of snapshot.problems) {
      this.log.warn({ file: this.file, line: problem.line, user: problem.user },
        `htpasswd line ${problem.line}: ${problem.problem}`);
    }
    this.log.debug({ file: this.file, users: snapshot.entries.size, version: snapshot.version },
      'htpasswd file loaded');
  }

  private unavailable(error: NodeJS.ErrnoException): GatehouseError {
    // Forget the content: after a failure nobody gets in until the file reads again.
    this.snapshot = undefined;
    this.identity = '';
    const code = error.code ?? 'EIO';
    const key = `${code}:${error.message}`;
    if (this.failureLogged !== key) {
      this.log.error({ file: this.file, osError: code, reason: error.message },
        'htpasswd file cannot be read: nobody can sign in through it');
      this.failureLogged = key;
    }
    return new GatehouseError(Errors.AUTH_STORE_UNAVAILABLE,
      { store: this.options.storeName, reason: `its file cannot be read (${code})` }, { cause: error });
  }
}
