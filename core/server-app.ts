/**
 * The HTTP server: fastify parses HTTP, keeps connections and logs; every request goes to
 * dispatchRequest. Bodies are left unread here so handlers can stream uploads to disk.
 */
import 'reflect-metadata';
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { dispatchRequest, Site, type SiteOptions } from './dispatch/dispatch';
import { normalizePrefix } from './dispatch/request-target';
import pino from 'pino';
import { createLogger, type Logger } from './log';
import { sendError } from './dispatch/error-page';
import { Errors } from './errors';

export interface ServerOptions {
  env?: string;
  envParentDir?: string;
  basePath?: string;
  trustProxy?: boolean;
  host?: string;
  /** 0 (the default here) picks a free port. */
  port?: number;
  /** false silences logs (tests); otherwise pino options. */
  logger?: false | { level?: string };
}

export interface RunningServer {
  app: FastifyInstance;
  site: Site;
  /** `http://127.0.0.1:PORT` plus the base path. */
  url: string;
  /** Finishes in-flight requests, then closes every environment. */
  close(): Promise<void>;
}

/** Largest request head accepted; a bigger Authorization header gets 431 from Node itself. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Seconds of silence after which a connection is dropped (Apache's Timeout is 60 too). */
const IDLE_CONNECTION_TIMEOUT_MS = 60_000;

/**
 * Request ids: a random per-process prefix and a counter; unique across workers and restarts
 * without paying for random bytes on every request.
 */
const requestIdPrefix = crypto.randomBytes(4).toString('hex');
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter += 1;
  return `${requestIdPrefix}-${requestCounter.toString(36)}`;
}

/** A request that failed outside dispatchRequest's own handling: logged, answered with a bare 500. */
function lastResort(log: Logger, request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  log.error({ reqId: request.id, err: error }, 'unhandled server error');
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  const given = (error as { statusCode?: number }).statusCode ?? 500;
  const status = given >= 400 && given < 600 ? given : 500;
  reply.code(status).header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ error: { status, code: 'GH_ERR_HTTP_INTERNAL', message: 'request failed',
      requestId: String(request.id) } }));
}

/**
 * The path a request line shows: never the query, and for an absolute-form target
 * (`GET http://user:secret@host/x`) only its path, so a password in it is not logged.
 */
function loggedPath(url: string): string {
  if (url.startsWith('/')) {
    const queryAt = url.indexOf('?');
    return queryAt < 0 ? url : url.slice(0, queryAt);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return '(not a path)';
  }
}

export interface BuiltApp {
  app: FastifyInstance;
  site: Site;
  /** The server's logger (pino): one JSON line per event on stdout. */
  log: Logger;
}

function logLevel(options: ServerOptions): string {
  if (options.logger === false) return 'silent';
  return options.logger?.level ?? process.env.GATEHOUSE_LOG_LEVEL ?? 'info';
}

export function buildApp(options: ServerOptions): BuiltApp {
  const log = createLogger(logLevel(options));
  // The request line is an info line: when the level hides it, nothing is prepared for it. Its
  // fields are fixed and never secret (the path goes without its query), so no redaction.
  const requestLog = pino.levels.values[log.level] <= pino.levels.values.info
    ? createLogger(log.level, { redact: false }) : undefined;
  const logRequest = (request: FastifyRequest, status: number, ms: number | undefined): void => {
    const context = request.gatehouseContext;
    requestLog?.info({ reqId: request.id, method: request.method, path: loggedPath(request.raw.url ?? ''), status,
      env: context?.env.logName, user: context?.user,
      ms: ms === undefined ? undefined : Math.round(ms * 10) / 10, remote: request.raw.socket.remoteAddress }, 'request');
  };
  const app = Fastify({
    // Fastify gets no logger of its own: with one, it builds a child logger and listens for the
    // end of every response, which cost a tenth of the server's time for nothing we use. Every
    // line comes from Gatehouse's logger instead: one per request (below), and what dispatch,
    // handlers and plugins log.
    logger: false,
    routerOptions: { maxParamLength: 8192 },
    requestIdHeader: false,
    genReqId: nextRequestId,
    trustProxy: options.trustProxy ?? false,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // A connection that sends or receives nothing for this long is closed: a client trickling
    // a body (or holding a socket open) cannot keep connections forever. Large uploads and
    // downloads are fine while bytes keep moving.
    connectionTimeout: IDLE_CONNECTION_TIMEOUT_MS,
    return503OnClosing: true,
    // A URL the router cannot decode gets our 400 page with a request id, like any other.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', String(request.id));
      sendError(request, reply, undefined, { status: 400, code: Errors.HTTP_BAD_REQUEST.code,
        message: 'the request URL is malformed (a bad percent-escape or character)' });
      // Fastify runs no route hooks for these, so the line is written here.
      logRequest(request, 400, undefined);
    },
    forceCloseConnections: 'idle',
  });
  const siteOptions: SiteOptions = {
    env: options.env, envParentDir: options.envParentDir,
    basePath: normalizePrefix(options.basePath), trustProxy: options.trustProxy ?? false,
  };
  const site = new Site(siteOptions, log);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  // Where dispatchRequest keeps the request's context, for the log line. Declared up front so
  // every request object has the same shape.
  app.decorateRequest('gatehouseContext', null);

  if (requestLog) {
    app.addHook('onResponse', (request, reply, done) => {
      logRequest(request, reply.statusCode, reply.elapsedTime);
      done();
    });
  }

  // dispatchRequest answers every request itself and never rejects; the catch is a last guard
  // so that a fault there can never become an unhandled rejection that ends the process.
  const dispatch = (request: FastifyRequest, reply: FastifyReply): void => {
    dispatchRequest(site, request, reply).catch((error: unknown) => lastResort(log, request, reply, error));
  };
  app.all('/*', dispatch);
  app.all('/', dispatch);
  app.setNotFoundHandler(dispatch);
  app.setErrorHandler((error, request, reply) => lastResort(log, request, reply, error));
  app.addHook('onClose', async () => {
    await site.close();
  });
  return { app, site, log };
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { app, site } = buildApp({ logger: false, ...options });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    app, site,
    url: `http://${hostPart}:${port}${normalizePrefix(options.basePath)}`,
    close: () => app.close(),
  };
}
