/**
 * The HTTP server: fastify parses HTTP, keeps connections and logs; every request goes to
 * dispatchRequest. Bodies are left unread here so handlers can stream uploads to disk.
 */
import 'reflect-metadata';
import crypto from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { dispatchRequest, Site, summaryOf, type SiteOptions } from './dispatch/dispatch';
import { normalizePrefix } from './dispatch/request-target';
import { redactPaths, type Logger } from './log';
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

export function buildApp(options: ServerOptions): { app: FastifyInstance; site: Site } {
  const app = Fastify({
    logger: options.logger === false ? false : {
      level: options.logger?.level ?? process.env.GATEHOUSE_LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
    },
    // One line per request is ours (onResponse below), not fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: most requests log one line, which names its request id
    // itself; a handler that logs more gets a child lazily (RequestContext.log).
    childLoggerFactory: (logger) => logger,
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
    },
    forceCloseConnections: 'idle',
  });
  const siteOptions: SiteOptions = {
    env: options.env, envParentDir: options.envParentDir,
    basePath: normalizePrefix(options.basePath), trustProxy: options.trustProxy ?? false,
  };
  const site = new Site(siteOptions, app.log as unknown as Logger);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.addHook('onResponse', async (request, reply) => {
    // pino's numeric level: above 30 (info) the line would be dropped, so skip building it.
    if ((request.log as unknown as { levelVal?: number }).levelVal! > 30) return;
    const summary = summaryOf.get(request) ?? {};
    const pathOnly = (request.raw.url ?? '').split('?')[0];
    request.log.info({ reqId: request.id, method: request.method, path: pathOnly, status: reply.statusCode,
      env: summary.env, user: summary.user, ms: Math.round(reply.elapsedTime * 10) / 10,
      remote: request.raw.socket.remoteAddress }, 'request');
  });

  app.all('/*', (request, reply) => dispatchRequest(site, request, reply).then(() => reply));
  app.all('/', (request, reply) => dispatchRequest(site, request, reply).then(() => reply));
  app.setNotFoundHandler((request, reply) => dispatchRequest(site, request, reply).then(() => reply));
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ reqId: request.id, err: error }, 'unhandled server error');
    if (!reply.sent) {
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      reply.code(status >= 400 && status < 600 ? status : 500)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ error: { status, code: 'GH_ERR_HTTP_INTERNAL', message: 'request failed',
          requestId: String(request.id) } }));
    }
  });
  app.addHook('onClose', async () => {
    await site.close();
  });
  return { app, site };
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
