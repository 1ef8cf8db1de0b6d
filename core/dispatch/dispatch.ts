/**
 * dispatchRequest: every HTTP request, whatever its path, goes through here (design.md,
 * "Request lifecycle"): resolve the environment, build the context, apply access rules,
 * authenticate, hand to the first matching handler, turn errors into pages.
 */
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log';
import type { GatehouseEnvironment } from '../env/environment';
import { EnvironmentCache, type Lease } from '../env/environment-cache';
import { EnvironmentNames } from '../env/parent-dir';
import { GatehouseRequestContext, type RequestTarget } from './context';
import { authenticate } from './authenticate';
import { compileAccessRules, enforceAccessRules } from './access-rules';
import { decodePath, firstSegment, isCleanPrefix, splitTarget } from './request-target';
import { sendError } from './error-page';
import { html } from './html';
import { sendProjectIndex } from './project-index';
import { REQUEST_HANDLER } from '../components/tokens';
import { Errors, GatehouseError, isGatehouseError } from '../errors';
import { runInRequestScope } from '../db/request-scope';
import { fromPlugin, isPromise, type MaybePromise } from './maybe-async';

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

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The request's context once dispatchRequest has found its environment (buildApp declares
     * it): the request log line takes the environment and user from it.
     */
    gatehouseContext: GatehouseRequestContext | null;
  }
}

export class Site {
  readonly environments: EnvironmentCache;
  /** Under a parent dir: which names are environments, remembered briefly. */
  readonly environmentNames: EnvironmentNames | undefined;
  private readonly accessRules = new WeakMap<GatehouseEnvironment, ReturnType<typeof compileAccessRules>>();

  constructor(readonly options: SiteOptions, readonly log: Logger) {
    this.environments = new EnvironmentCache(log);
    this.environmentNames = options.envParentDir ? new EnvironmentNames(options.envParentDir) : undefined;
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

/**
 * The scheme, host and address the client used, and the prefix a proxy mounted us under. Only
 * under --trust-proxy do the X-Forwarded headers count.
 */
function readClient(site: Site, request: FastifyRequest, route: Route): void {
  const headers = request.headers;
  route.scheme = (request.raw.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  route.host = headers.host ?? 'localhost';
  route.remoteAddress = request.raw.socket.remoteAddress ?? '';
  if (!site.options.trustProxy) return;
  const proto = lastHeaderValue(headers['x-forwarded-proto']);
  const prefix = lastHeaderValue(headers['x-forwarded-prefix']);
  if (proto === 'https' || proto === 'http') route.scheme = proto;
  route.host = lastHeaderValue(headers['x-forwarded-host']) ?? route.host;
  route.remoteAddress = lastHeaderValue(headers['x-forwarded-for']) ?? route.remoteAddress;
  route.siteBasePath = `${prefix && isCleanPrefix(prefix) ? prefix.replace(/\/+$/, '') : ''}${site.options.basePath}`;
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

interface Route extends RequestTarget {
  /** The project index at a parent dir's root (no environment). */
  index: boolean;
  envPath: string;
  /** The environment's folder name under a parent dir ('' for a single environment). */
  envName: string;
}

/**
 * Where a request goes: the environment and the path below it, or the project index at a parent
 * dir's root. Throws the 400/404 a malformed or foreign target gets.
 */
function routeOf(site: Site, request: FastifyRequest): Route {
  const target = splitTarget(request.raw.url ?? '/', site.options.basePath);
  if (!target) throw new GatehouseError(Errors.HTTP_NOT_FOUND, { path: request.raw.url ?? '/' });
  // Merge repeated slashes, as Apache's MergeSlashes does, before any rule sees the path:
  // access rules, protected paths and file lookups must all agree on what `a//b` is.
  const rawRest = target.rawRest.includes('//') ? target.rawRest.replace(/\/{2,}/g, '/') : target.rawRest;
  const route: Route = {
    index: false, envPath: '', envName: '', rawPathInfo: rawRest || '/', rawQuery: target.rawQuery,
    basePath: '', siteBasePath: site.options.basePath, scheme: 'http', host: '', remoteAddress: '',
  };
  readClient(site, request, route);
  route.basePath = route.siteBasePath;
  if (site.options.env) {
    route.envPath = site.options.env;
    return route;
  }
  const parentDir = site.options.envParentDir;
  if (!parentDir) throw new GatehouseError(Errors.ENV_NONE_CONFIGURED);
  const { segment, rest } = firstSegment(rawRest);
  if (!segment) {
    route.index = true;
    return route;
  }
  route.envName = decodePath(segment);
  route.envPath = path.join(parentDir, route.envName);
  route.rawPathInfo = rest || '/';
  route.basePath = `${route.siteBasePath}/${segment}`;
  return route;
}

/** The environment a route names, held until released; waits only when it must look or open. */
function leaseFor(site: Site, route: Route): MaybePromise<Lease> {
  const names = site.environmentNames;
  const isEnvironment = names ? names.known(route.envName) ?? names.check(route.envName) : true;
  if (isPromise(isEnvironment)) return isEnvironment.then((found) => leaseOf(site, route, found));
  return leaseOf(site, route, isEnvironment);
}

function leaseOf(site: Site, route: Route, isEnvironment: boolean): MaybePromise<Lease> {
  if (!isEnvironment) {
    site.environments.forget(route.envPath);
    throw new GatehouseError(Errors.ENV_NOT_FOUND, { name: route.envName });
  }
  return site.environments.acquireNow(route.envPath) ?? site.environments.acquire(route.envPath, route.envName);
}

/**
 * Steps 2 to 6 of the lifecycle inside one environment: context, access rules, sign-in, the
 * first matching handler. Returns a promise only when something really waits.
 */
function serveEnvironment(site: Site, request: FastifyRequest, reply: FastifyReply, env: GatehouseEnvironment,
  route: Route): MaybePromise<void> {
  const context = new GatehouseRequestContext(env, request, reply, route, site.log);
  request.gatehouseContext = context;
  try {
    enforceAccessRules(site.rulesFor(env), context.pathInfo, context.remoteAddress);
    const authenticating = authenticate(context);
    const handled = isPromise(authenticating)
      ? authenticating.then((goOn) => (goOn ? runHandler(context) : undefined))
      : authenticating ? runHandler(context) : undefined;
    return isPromise(handled) ? handled.catch((error: unknown) => handlerFailed(context, error)) : handled;
  } catch (error) {
    handlerFailed(context, error);
  }
}

/** Authentication is over: the first enabled handler that matches answers, or it is a 404. */
function runHandler(context: GatehouseRequestContext): MaybePromise<void> {
  context.markAuthenticated();
  for (const handler of context.env.extensions(REQUEST_HANDLER)) {
    if (handler.matches(context)) return fromPlugin(handler.handle(context));
  }
  throw new GatehouseError(Errors.HTTP_NOT_FOUND, { path: context.pathInfo });
}

function handlerFailed(context: GatehouseRequestContext, error: unknown): void {
  const { request, reply } = context;
  if (reply.sent || reply.raw.headersSent) {
    context.log.error({ err: error }, 'request failed after the response started');
    reply.raw.destroy();
    return;
  }
  renderFailure(request, reply, context, error, context.log);
}

/** The one entry point for every request. It never rejects: every failure becomes a page. */
export async function dispatchRequest(site: Site, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-request-id', request.id);
  let lease: Lease | undefined;
  try {
    const route = routeOf(site, request);
    if (route.index) {
      await sendProjectIndex(site, request, reply, route.siteBasePath);
      return;
    }
    const leasing = leaseFor(site, route);
    lease = isPromise(leasing) ? await leasing : leasing;
    const env = lease.env;
    // The request scope exists for pooled backends (one connection per request). It rides on
    // AsyncLocalStorage, whose promise hooks cost every request on Node 20, so an embedded
    // database, which needs no scope, goes without.
    if (env.db.kind === 'sqlite') {
      const serving = serveEnvironment(site, request, reply, env, route);
      if (isPromise(serving)) await serving;
    } else {
      await runInRequestScope(async () => serveEnvironment(site, request, reply, env, route));
    }
  } catch (error) {
    renderFailure(request, reply, undefined, error, site.log.child({ reqId: request.id }));
  } finally {
    lease?.release();
  }
}
