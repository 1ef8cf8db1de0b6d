/**
 * The login module: turns an authenticated request into a `trac_auth` session and recognises
 * that cookie on later requests. Rows live in Trac's `auth_cookie` table (cookie, name, ipnr,
 * time), so several server processes share sessions.
 *
 * Unlike Trac, the lifetime is enforced on the server and slides with use, a sign-in always
 * gets a fresh value (never the one the client brought: that was a session-fixation hole), and
 * validated cookies are cached for at most a second, so a logout or a deleted row ends the
 * session within a second on every process.
 */
import crypto from 'node:crypto';
import { inject, injectable } from 'tsyringe';
import type { Environment } from '../env/types';
import type { GatehouseRequestContext } from '../dispatch/context';
import { ENVIRONMENT } from '../components/tokens';
import { serializeCookie } from '../dispatch/cookies';
import { Options } from '../env/env-options';
import { isGatehouseError } from '../errors';

export const AUTH_COOKIE = 'trac_auth';
/** Without auth_cookie_lifetime, a sign-in idle this long ends (Trac purged at 10 days after creation). */
const DEFAULT_IDLE_LIFETIME_S = 10 * 24 * 3600;
/** A cached validation is trusted this long before the row is read again. */
const CACHE_TTL_MS = 1000;
/** The row's time is refreshed at most this often, so a busy session does not write on every request. */
const SLIDE_INTERVAL_S = 60;
const CACHE_LIMIT = 10000;
/** Expired rows are removed at most this often per process (on a sign-in), so the table stays small. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

interface CachedSession {
  user: string;
  ipnr: string;
  time: number;
  checkedAt: number;
}

function isWellFormed(value: string): boolean {
  return /^[0-9a-fA-F]{16,64}$/.test(value);
}

@injectable()
export class LoginModule {
  private readonly cache = new Map<string, CachedSession>();
  private lastPurge = 0;

  constructor(@inject(ENVIRONMENT) private readonly env: Environment) {}

  private lifetime(): number {
    const configured = this.env.config.option(Options.authCookieLifetime);
    return configured > 0 ? configured : DEFAULT_IDLE_LIFETIME_S;
  }

  private cookieOptions(context: GatehouseRequestContext, maxAge?: number) {
    const config = this.env.config;
    return {
      path: config.option(Options.authCookiePath) || context.cookiePath(),
      domain: config.option(Options.authCookieDomain) || undefined,
      secure: config.option(Options.secureCookies),
      httpOnly: true,
      sameSite: 'Lax' as const,
      maxAge,
    };
  }

  /** Tells the browser to drop its trac_auth cookie. */
  expireCookie(context: GatehouseRequestContext): void {
    context.reply.header('set-cookie', serializeCookie(AUTH_COOKIE, '', this.cookieOptions(context, 0)));
  }

  /**
   * The user a valid trac_auth cookie names, or undefined (and the cookie is expired). Answers
   * at once from the cache; waits only to read the row (at most once a second per cookie) or to
   * slide its time (at most once a minute).
   */
  userFromCookie(context: GatehouseRequestContext): string | undefined | Promise<string | undefined> {
    const value = context.cookie(AUTH_COOKIE);
    if (!value) return undefined;
    const now = Date.now();
    // Only well-formed values are ever cached, so a cached one needs no second look.
    const cached = this.cache.get(value);
    if (cached && now - cached.checkedAt <= CACHE_TTL_MS) return this.accept(context, value, cached, now);
    if (!isWellFormed(value)) {
      this.expireCookie(context);
      return undefined;
    }
    return this.readSession(value, now).then((session) => this.accept(context, value, session, now));
  }

  /** Checks a session against the lifetime and address rules; slides its time when due. */
  private accept(context: GatehouseRequestContext, value: string, session: CachedSession | undefined, now: number)
    : string | undefined | Promise<string | undefined> {
    const nowSeconds = Math.floor(now / 1000);
    const checkIp = this.env.config.option(Options.checkAuthIp);
    const valid = session !== undefined
      && nowSeconds - session.time <= this.lifetime()
      && (!checkIp || session.ipnr === context.remoteAddress);
    if (!valid || !session) {
      this.cache.delete(value);
      this.expireCookie(context);
      return undefined;
    }
    if (nowSeconds - session.time < SLIDE_INTERVAL_S) return session.user;
    session.time = nowSeconds;
    return this.slide(context, value, nowSeconds).then(() => session.user);
  }

  private async slide(context: GatehouseRequestContext, value: string, nowSeconds: number): Promise<void> {
    await this.env.db.run('UPDATE auth_cookie SET time = ? WHERE cookie = ?', [nowSeconds, value]);
    if (this.env.config.option(Options.authCookieLifetime) > 0) {
      context.reply.header('set-cookie', serializeCookie(AUTH_COOKIE, value,
        this.cookieOptions(context, this.lifetime())));
    }
  }

  private async readSession(value: string, now: number): Promise<CachedSession | undefined> {
    const row = await this.env.db.get<{ name: string; ipnr: string; time: number }>(
      'SELECT name, ipnr, time FROM auth_cookie WHERE cookie = ?', [value]);
    if (!row) return undefined;
    const session = { user: row.name, ipnr: row.ipnr, time: Number(row.time), checkedAt: now };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(value, session);
    return session;
  }

  /** Starts a session for `user`: a fresh random 128-bit value, stored and set as a cookie. */
  async signIn(context: GatehouseRequestContext, user: string): Promise<void> {
    const value = crypto.randomBytes(16).toString('hex');
    const now = Math.floor(Date.now() / 1000);
    const brought = context.cookie(AUTH_COOKIE);
    // Plain statements, no transaction: the new row does not depend on the old one, and
    // single statements take no gap locks that concurrent sign-ins could deadlock on (InnoDB).
    if (brought) await this.env.db.run('DELETE FROM auth_cookie WHERE cookie = ?', [brought]);
    await this.env.db.run('INSERT INTO auth_cookie (cookie, name, ipnr, time) VALUES (?, ?, ?, ?)',
      [value, user, context.remoteAddress, now]);
    await this.recordVisit(context, user, now);
    await this.purgeExpired(context, now);
    if (brought) this.cache.delete(brought);
    const lifetime = this.env.config.option(Options.authCookieLifetime);
    context.reply.header('set-cookie', serializeCookie(AUTH_COOKIE, value,
      this.cookieOptions(context, lifetime > 0 ? lifetime : undefined)));
  }

  /**
   * Trac's `session` row for the user (sid, authenticated, last_visit). Another sign-in of the
   * same user may insert it at the same moment: a duplicate then just means it exists. The row is
   * bookkeeping, so a failure here is logged and does not fail the sign-in.
   */
  private async recordVisit(context: GatehouseRequestContext, user: string, now: number): Promise<void> {
    try {
      const updated = await this.env.db.run(
        'UPDATE session SET last_visit = ? WHERE sid = ? AND authenticated = 1', [now, user]);
      if (updated.changes > 0) return;
      await this.env.db.run('INSERT INTO session (sid, authenticated, last_visit) VALUES (?, 1, ?)', [user, now]);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'GH_ERR_DB_DUPLICATE_KEY') return;
      context.log.warn({ err: error }, 'could not record the session visit; the sign-in stands');
    }
  }

  /** Deletes sessions idle past their lifetime: only those, never an active one. */
  private async purgeExpired(context: GatehouseRequestContext, now: number): Promise<void> {
    if (Date.now() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = Date.now();
    try {
      const removed = await this.env.db.run('DELETE FROM auth_cookie WHERE time < ?', [now - this.lifetime()]);
      if (removed.changes > 0) context.log.info({ removed: removed.changes }, 'removed expired sign-ins');
    } catch (error) {
      context.log.warn({ err: error }, 'could not remove expired sign-ins');
    }
  }

  /** Ends this request's session only; the user's other sessions stay. */
  async signOut(context: GatehouseRequestContext): Promise<void> {
    const value = context.cookie(AUTH_COOKIE);
    if (value) {
      await this.env.db.run('DELETE FROM auth_cookie WHERE cookie = ?', [value]);
      this.cache.delete(value);
    }
    this.expireCookie(context);
  }
}
