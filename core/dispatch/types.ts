import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Environment } from '../env/types';
import type { Logger } from '../log';

/**
 * What a handler sees of one request. `dispatchRequest` builds it after resolving the
 * environment; the authenticate step fills `user`.
 */
export interface RequestContext {
  readonly env: Environment;
  readonly method: string;
  /**
   * The decoded path below the environment's base (`/login`, `/chrome/common/x.css`), always
   * starting with `/`. Handlers that map paths to files must also check `rawPathInfo`.
   */
  readonly pathInfo: string;
  /** The same path still percent-encoded, as the client sent it. */
  readonly rawPathInfo: string;
  readonly query: URLSearchParams;
  /** The environment's URL prefix: mount + base path + env name (`/trac/alpha`), '' at root. */
  readonly basePath: string;
  /** The site's URL prefix without the environment name (for the project index). */
  readonly siteBasePath: string;
  /** `http` or `https` (from X-Forwarded-Proto only under --trust-proxy). */
  readonly scheme: string;
  /** Host[:port] the client used (from X-Forwarded-Host only under --trust-proxy). */
  readonly host: string;
  /** Client address (from X-Forwarded-For only under --trust-proxy). */
  readonly remoteAddress: string;
  readonly requestId: string;
  /** One cookie's value (the first of that name the client sent), or undefined. */
  cookie(name: string): string | undefined;
  /** Every cookie the client sent, by name (the first of each name). */
  readonly cookies: Readonly<Record<string, string>>;
  readonly log: Logger;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** The signed-in user after normalisation, or `anonymous`. */
  user: string;
  /** Which authenticator named the user (`basic`, `cookie`, ...), or undefined. */
  authenticatedBy?: string;
  /** Absolute path within this environment: `href('/login')` -> `/trac/alpha/login`. */
  href(path: string): string;
  /** Absolute URL (honours `[trac] base_url`). */
  absoluteUrl(path: string): string;
  /** This request's form token (sets the `trac_form_token` cookie when new). */
  formToken(): string;
  /**
   * Checks a submitted `__FORM_TOKEN` against the `trac_form_token` cookie (double submit, as
   * Trac); throws GH_ERR_FORM_TOKEN (400) on a mismatch. Every state-changing POST calls it.
   */
  verifyFormToken(submitted: string | undefined): void;
  /** Throws GH_ERR_PERM_DENIED unless the user holds `action` (on `resource`, when given). */
  requirePermission(action: string, resource?: string): Promise<void>;
  hasPermission(action: string, resource?: string): Promise<boolean>;
}

/** Answers the requests whose path it matches. The first enabled handler that matches wins. */
export interface RequestHandler {
  matches(context: RequestContext): boolean;
  /**
   * Produces the response through `context.reply`. Throwing a GatehouseError becomes its error
   * page; any other error becomes a 500 with the request id (never a stack trace). A handler
   * that sends at once may return nothing instead of a promise.
   */
  handle(context: RequestContext): void | Promise<void>;
}
