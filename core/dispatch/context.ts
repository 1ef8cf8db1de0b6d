/** The per-request context handlers see (core/dispatch/types.ts describes each member). */
import crypto from 'node:crypto';
import { constantTimeEqual } from '../auth/constant-time';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from './types';
import type { GatehouseEnvironment } from '../env/environment';
import type { Logger } from '../log';
import { parseCookieMap, serializeCookie } from './cookies';
import { decodePath } from './request-target';
import { Errors, GatehouseError } from '../errors';
import { Options } from '../env/env-options';

export const FORM_TOKEN_COOKIE = 'trac_form_token';

/** Where a request is going, as dispatch worked it out from the URL and the connection. */
export interface RequestTarget {
  /** The path below the environment, still percent-encoded ('/' at least). */
  rawPathInfo: string;
  rawQuery: string;
  basePath: string;
  siteBasePath: string;
  scheme: string;
  host: string;
  remoteAddress: string;
}

export class GatehouseRequestContext implements RequestContext {
  readonly method: string;
  readonly pathInfo: string;
  readonly rawPathInfo: string;
  readonly rawQuery: string;
  readonly basePath: string;
  readonly siteBasePath: string;
  readonly scheme: string;
  readonly host: string;
  readonly remoteAddress: string;
  readonly requestId: string;
  user = 'anonymous';
  authenticatedBy?: string;
  private token: string | undefined;

  constructor(readonly env: GatehouseEnvironment, readonly request: FastifyRequest, readonly reply: FastifyReply,
    target: RequestTarget, private readonly baseLog: Logger) {
    this.method = request.method;
    this.rawPathInfo = target.rawPathInfo;
    this.pathInfo = decodePath(target.rawPathInfo);
    this.rawQuery = target.rawQuery;
    this.basePath = target.basePath;
    this.siteBasePath = target.siteBasePath;
    this.scheme = target.scheme;
    this.host = target.host;
    this.remoteAddress = target.remoteAddress;
    this.requestId = request.id;
  }

  private parsedQuery: URLSearchParams | undefined;
  private cookieMap: Map<string, string> | undefined;
  private cookieRecord: Readonly<Record<string, string>> | undefined;

  /** Parsed on first use: most requests never read their query. */
  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.rawQuery);
    return this.parsedQuery;
  }

  /** The Cookie header parsed on first use; undefined (and nothing allocated) without one. */
  private parsedCookies(): Map<string, string> | undefined {
    if (this.cookieMap === undefined) {
      const header = this.request.headers.cookie;
      if (!header) return undefined;
      this.cookieMap = parseCookieMap(header);
    }
    return this.cookieMap;
  }

  cookie(name: string): string | undefined {
    return this.parsedCookies()?.get(name);
  }

  get cookies(): Readonly<Record<string, string>> {
    if (!this.cookieRecord) {
      const record = Object.create(null) as Record<string, string>;
      for (const [name, value] of this.parsedCookies() ?? []) record[name] = value;
      this.cookieRecord = Object.freeze(record);
    }
    return this.cookieRecord;
  }

  private childLog: Logger | undefined;

  private authenticated = false;

  /**
   * The request's logger bound to env (and, once authentication is over, to the user), made on
   * first use: most requests never log. Before then a scheme logs the name it was given itself.
   */
  get log(): Logger {
    this.childLog ??= this.baseLog.child(this.authenticated
      ? { reqId: this.requestId, env: this.env.name || undefined, user: this.user }
      : { reqId: this.requestId, env: this.env.name || undefined });
    return this.childLog;
  }

  /** Authentication is over: later log lines carry the user. */
  markAuthenticated(): void {
    this.authenticated = true;
    this.childLog = undefined;
  }

  href(path: string): string {
    const suffix = path.startsWith('/') ? path : `/${path}`;
    return `${this.basePath}${suffix}` || '/';
  }

  absoluteUrl(path: string): string {
    const configured = this.env.config.option(Options.baseUrl).replace(/\/+$/, '');
    const suffix = path.startsWith('/') ? path : `/${path}`;
    if (configured) return `${configured}${suffix}`;
    return `${this.scheme}://${this.host}${this.href(suffix)}`;
  }

  /** Where redirects point: base_url when use_base_url_for_redirect says so. */
  redirectUrl(path: string): string {
    if (this.env.config.option(Options.useBaseUrlForRedirect)) return this.absoluteUrl(path);
    return this.href(path);
  }

  cookiePath(): string {
    return this.basePath || '/';
  }

  formToken(): string {
    if (this.token) return this.token;
    const existing = this.cookie(FORM_TOKEN_COOKIE);
    if (existing && /^[0-9a-f]{32,64}$/.test(existing)) {
      this.token = existing;
      return existing;
    }
    this.token = crypto.randomBytes(24).toString('hex');
    this.reply.header('set-cookie', serializeCookie(FORM_TOKEN_COOKIE, this.token, {
      path: this.cookiePath(), secure: this.env.config.option(Options.secureCookies), httpOnly: true,
    }));
    return this.token;
  }

  verifyFormToken(submitted: string | undefined): void {
    const cookie = this.cookie(FORM_TOKEN_COOKIE);
    if (!cookie || !submitted || !constantTimeEqual(cookie, submitted)) {
      throw new GatehouseError(Errors.FORM_TOKEN);
    }
  }

  async hasPermission(action: string, resource?: string): Promise<boolean> {
    return this.env.perm.check(action, this.user, resource);
  }

  async requirePermission(action: string, resource?: string): Promise<void> {
    if (!(await this.hasPermission(action, resource))) {
      throw new GatehouseError(Errors.PERM_DENIED, { action, resource: resource ?? this.env.projectName });
    }
  }
}
