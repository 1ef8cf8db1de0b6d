/**
 * dispatchRequest: every HTTP request, whatever its path, goes through here (design.md,
 * "Request lifecycle"): resolve the environment, build the context, apply access rules,
 * authenticate, hand to the first matching handler, turn errors into pages.
 */
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log';
import type { GatehouseEnvironment } from '../env/environment';
import { EnvironmentCache } from '../env/environment-cache';
import { isEnvironmentName } from '../env/parent-dir';
import { GatehouseRequestContext } from './context';
import { parseCookies } from './cookies';
import { compileAccessRules, enforceAccessRules } from './access-rules';
import { decodePath, firstSegment, isCleanPrefix, splitTarget } from './request-target';
import { sendError } from './error-page';
import { html } from './html';
import { sendProjectIndex } from './project-index';
import { AUTHENTICATOR, REQUEST_HANDLER } from '../components/tokens';
import { LoginModule } from '../auth/login-module';
import { normalizeUserName } from '../auth/normalize';
import { Errors, GatehouseError, isGatehouseError } from '../errors';
import { runInRequestScope } from '../db/request-scope';

export interface SiteOptions {
  /** A single environment served at the site root. */
  env?: string;
  /** A folder whose sub-folders are environments. */
  envParentDir?: string;
  /** The mount prefix (`/trac`), '' for the root. */
  basePath: string;
  /** Honour X-Forwarded-For/-Proto/-Host/-Prefix. */
  trustProxy: boolean;
}

/** What the per-request log line reports, filled in as dispatch learns it. */
export interface RequestSummary {
  env?: string;
  user?: string;
}

export const summaryOf = new WeakMap<FastifyRequest, RequestSummary>();

export class Site {
  readonly environments: EnvironmentCache;
  private readonly accessRules = new WeakMap<GatehouseEnvironment, ReturnType<typeof compileAccessRules>>();

  constructor(readonly options: SiteOptions, readonly log: Logger) {
    this.environments = new EnvironmentCache(log);
  }

  rulesFor(env: GatehouseEnvironment): ReturnType<typeof compileAccessRules> {
    let rules = this.accessRules.get(env);
    if (!rules) {
      rules = compileAccessRules(env.config);
      this.accessRules.set(env, rules);
    }
    return rules;
  }

  async close(): Promise<void> {
    await this.environments.closeAll();
  }
}

/**
 * The value the nearest proxy added: the last one of a comma-separated header. Earlier
 * entries came from the client or from proxies we do not know, and anyone can write them.
 */
function lastHeaderValue(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined?.split(',').map((part) => part.trim()).filter(Boolean).pop() || undefined;
}

interface ClientView {
  scheme: string;
  host: string;
  remoteAddress: string;
  forwardedPrefix: string;
}

function clientView(site: Site, request: FastifyRequest): ClientView {
  const headers = request.headers;
  const direct = {
    scheme: (request.raw.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
    host: String(headers.host ?? 'localhost'),
    remoteAddress: request.raw.socket.remoteAddress ?? '',
    forwardedPrefix: '',
  };
  if (!site.options.trustProxy) return direct;
  const proto = lastHeaderValue(headers['x-forwarded-proto']);
  const prefix = lastHeaderValue(headers['x-forwarded-prefix']);
  return {
    scheme: proto === 'https' || proto === 'http' ? proto : direct.scheme,
    host: lastHeaderValue(headers['x-forwarded-host']) ?? direct.host,
    remoteAddress: lastHeaderValue(headers['x-forwarded-for']) ?? direct.remoteAddress,
    forwardedPrefix: prefix && isCleanPrefix(prefix) ? prefix.replace(/\/+$/, '') : '',
  };
}

/** Each environment's login module, resolved once (null when core.LoginModule is disabled). */
const loginModules = new WeakMap<object, LoginModule | null>();

function loginModuleOf(env: GatehouseEnvironment): LoginModule | null {
  let module = loginModules.get(env);
  if (module === undefined) {
    module = env.container.isRegistered(LoginModule, false) ? env.container.resolve(LoginModule) : null;
    loginModules.set(env, module);
  }
  return module;
}

async function authenticate(context: GatehouseRequestContext): Promise<boolean> {
  const env = context.env;
  for (const authenticator of env.extensions(AUTHENTICATOR)) {
    let result;
    try {
      result = await authenticator.authenticate(context);
    } catch (error) {
      context.log.error({ authenticator: authenticator.name, err: error },
        'authenticator failed; the request continues as anonymous');
      continue;
    }
    if (result.kind === 'user') {
      context.user = normalizeUserName(result.user, env.config);
      context.authenticatedBy = authenticator.name;
      return true;
    }
    if (result.kind === 'challenge') {
      sendError(context.request, context.reply, context, {
        status: result.status, code: result.code ?? 'GH_ERR_AUTH_REQUIRED', message: result.message,
        headers: result.headers,
      });
      return false;
    }
  }
  const loginModule = loginModuleOf(env);
  if (loginModule) {
    const user = await loginModule.userFromCookie(context);
    if (user) {
      context.user = user;
      context.authenticatedBy = 'cookie';
    }
  }
  return true;
}

/** Errors a site owner fixes in configuration: logged as warnings, not faults. */
const MISCONFIGURATION = new Set([Errors.AUTH_NOT_CONFIGURED.code, Errors.CONFIG_VALUE.code,
  Errors.CONFIG_SYNTAX.code, Errors.ENV_NONE_CONFIGURED.code, Errors.DB_NEEDS_UPGRADE.code]);

function renderFailure(request: FastifyRequest, reply: FastifyReply, context: GatehouseRequestContext | undefined,
  error: unknown, log: Logger): void {
  if (isGatehouseError(error)) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    if (MISCONFIGURATION.has(error.code)) log.warn({ code: error.code, cause }, error.message);
    else if (error.status >= 500) log.error({ code: error.code, cause }, error.message);
    else if (error.status === 403) log.warn({ code: error.code }, error.message);
    if (error.code === Errors.PERM_DENIED.code && context && context.user === 'anonymous') {
      const login = `${context.href('/login')}?referer=${encodeURIComponent(context.href(context.pathInfo))}`;
      sendError(request, reply, context, {
        status: 403, code: error.code, message: error.message,
        extra: html`<p class="sign-in-prompt">You are not signed in. <a href="${login}">Sign in</a> to continue.</p>`,
      });
      return;
    }
    sendError(request, reply, context, { status: error.status, code: error.code, message: error.message });
    return;
  }
  log.error({ err: error }, 'request failed');
  const internal = new GatehouseError(Errors.HTTP_INTERNAL, { requestId: String(request.id) });
  sendError(request, reply, context, { status: 500, code: internal.code, message: internal.message });
}

async function serveEnvironment(site: Site, request: FastifyRequest, reply: FastifyReply, env: GatehouseEnvironment,
  parts: { rawPathInfo: string; query: URLSearchParams; basePath: string; siteBasePath: string; client: ClientView })
  : Promise<void> {
  const summary = summaryOf.get(request);
  if (summary) summary.env = env.name || path.basename(env.path);
  const context = new GatehouseRequestContext({
    env, request, reply, log: request.log,
    pathInfo: decodePath(parts.rawPathInfo || '/'),
    rawPathInfo: parts.rawPathInfo || '/',
    query: parts.query,
    basePath: parts.basePath,
    siteBasePath: parts.siteBasePath,
    scheme: parts.client.scheme,
    host: parts.client.host,
    remoteAddress: parts.client.remoteAddress,
    cookies: parseCookies(request.headers.cookie),
  });
  try {
    enforceAccessRules(site.rulesFor(env), context.pathInfo, context.remoteAddress);
    if (!(await authenticate(context))) return;
    context.markAuthenticated();
    if (summary) summary.user = context.user;
    for (const handler of env.extensions(REQUEST_HANDLER)) {
      if (!handler.matches(context)) continue;
      await handler.handle(context);
      return;
    }
    throw new GatehouseError(Errors.HTTP_NOT_FOUND, { path: context.pathInfo });
  } catch (error) {
    if (reply.sent || reply.raw.headersSent) {
      context.log.error({ err: error }, 'request failed after the response started');
      reply.raw.destroy();
      return;
    }
    renderFailure(request, reply, context, error, context.log);
  }
}

/** The one entry point for every request. */
export async function dispatchRequest(site: Site, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  summaryOf.set(request, {});
  reply.header('x-request-id', String(request.id));
  const client = clientView(site, request);
  const sitePrefix = `${client.forwardedPrefix}${site.options.basePath}`;
  try {
    const target = splitTarget(request.raw.url ?? '/', site.options.basePath);
    if (!target) throw new GatehouseError(Errors.HTTP_NOT_FOUND, { path: request.raw.url ?? '/' });
    // Merge repeated slashes, as Apache's MergeSlashes does, before any rule sees the path:
    // access rules, protected paths and file lookups must all agree on what `a//b` is.
    target.rawRest = target.rawRest.replace(/\/{2,}/g, '/');

    let envPath: string;
    let envName = '';
    let rawPathInfo = target.rawRest;
    let basePath = sitePrefix;
    if (site.options.env) {
      envPath = site.options.env;
    } else if (site.options.envParentDir) {
      const { segment, rest } = firstSegment(target.rawRest);
      if (!segment) {
        await sendProjectIndex(site, request, reply, sitePrefix);
        return;
      }
      envName = decodePath(segment);
      if (!(await isEnvironmentName(site.options.envParentDir, envName))) {
        throw new GatehouseError(Errors.ENV_NOT_FOUND, { name: envName });
      }
      envPath = path.join(site.options.envParentDir, envName);
      rawPathInfo = rest;
      basePath = `${sitePrefix}/${segment}`;
    } else {
      throw new GatehouseError(Errors.ENV_NONE_CONFIGURED);
    }

    const lease = await site.environments.acquire(envPath, envName);
    try {
      const serve = () => serveEnvironment(site, request, reply, lease.env,
        { rawPathInfo, query: target.query, basePath, siteBasePath: sitePrefix, client });
      // The request scope exists for pooled backends (one connection per request). It rides on
      // AsyncLocalStorage, whose promise hooks cost every request on Node 20, so an embedded
      // database, which needs no scope, goes without.
      if (lease.env.db.kind === 'sqlite') await serve();
      else await runInRequestScope(serve);
    } finally {
      lease.release();
    }
  } catch (error) {
    renderFailure(request, reply, undefined, error, request.log.child({ reqId: request.id }));
  }
}
