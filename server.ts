/**
 * Start-up: flags and environment variables, listen, shut down cleanly. Run as
 * `npm start -- [flags]` (see --help). Several workers share the port through node:cluster;
 * whatever they must share lives in the database.
 */
import 'reflect-metadata';
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { buildApp } from './core/server-app';
import { ensureDefaultEnvironment } from './core/default-environment';
import { isCleanPrefix, normalizePrefix } from './core/dispatch/request-target';

const help = `usage: npm start -- [options]      (or: node dist/server.js [options])

  --env PATH             serve one environment at the site root        (TRAC_ENV)
  --env-parent-dir DIR   serve every environment in DIR at /<name>/     (TRAC_ENV_PARENT_DIR)
  --host HOST            address to listen on, default 127.0.0.1        (GATEHOUSE_HOST)
  --port PORT            port to listen on, default 8000                (GATEHOUSE_PORT)
  --base-path /PREFIX    serve under a prefix, as WSGIScriptAlias does  (GATEHOUSE_BASE_PATH)
  --trust-proxy          honour X-Forwarded-For/-Proto/-Host/-Prefix    (GATEHOUSE_TRUST_PROXY=1)
  --workers N            N processes sharing the port, default 1        (GATEHOUSE_WORKERS)
  --log-level LEVEL      trace, debug, info, warn, error; default info  (GATEHOUSE_LOG_LEVEL)
  --help                 this text

With neither --env nor --env-parent-dir, a default environment is created under
./data/default on first start (its admin password is printed once) and served.
SIGTERM and SIGINT finish in-flight requests, close databases and exit 0.`;

interface StartOptions {
  env?: string;
  envParentDir?: string;
  host: string;
  port: number;
  basePath: string;
  trustProxy: boolean;
  workers: number;
  logLevel: string;
}

function fail(message: string): never {
  process.stderr.write(`gatehouse: ${message}\n(see: npm start -- --help)\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): StartOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: false, options: {
      env: { type: 'string' }, 'env-parent-dir': { type: 'string' }, host: { type: 'string' },
      port: { type: 'string' }, 'base-path': { type: 'string' }, 'trust-proxy': { type: 'boolean' },
      workers: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    } }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help) {
    process.stdout.write(`${help}\n`);
    process.exit(0);
  }
  const env = process.env;
  const port = Number(parsed.port ?? env.GATEHOUSE_PORT ?? 8000);
  const workers = Number(parsed.workers ?? env.GATEHOUSE_WORKERS ?? 1);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a number from 0 to 65535, not "${parsed.port}"`);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) fail('--workers must be a whole number from 1 to 64');
  const options: StartOptions = {
    env: parsed.env ?? env.TRAC_ENV ?? undefined,
    envParentDir: parsed['env-parent-dir'] ?? env.TRAC_ENV_PARENT_DIR ?? undefined,
    host: parsed.host ?? env.GATEHOUSE_HOST ?? '127.0.0.1',
    port,
    basePath: normalizePrefix(parsed['base-path'] ?? env.GATEHOUSE_BASE_PATH ?? ''),
    trustProxy: parsed['trust-proxy'] ?? ['1', 'true', 'yes'].includes((env.GATEHOUSE_TRUST_PROXY ?? '').toLowerCase()),
    workers,
    logLevel: parsed['log-level'] ?? env.GATEHOUSE_LOG_LEVEL ?? 'info',
  };
  if (options.env && options.envParentDir) fail('give either --env or --env-parent-dir, not both');
  if (!isCleanPrefix(options.basePath)) fail(`--base-path takes plain path segments such as /trac, not "${options.basePath}"`);
  return options;
}

async function serve(options: StartOptions): Promise<void> {
  const { app, log } = buildApp({ env: options.env, envParentDir: options.envParentDir, basePath: options.basePath,
    trustProxy: options.trustProxy, logger: { level: options.logLevel } });
  // A promise rejected with nobody listening is a bug (most likely a plugin's); Node would end
  // the process for it, taking every environment down. It is logged, and serving goes on.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug); the server keeps running');
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    app.close().then(() => process.exit(0), (error: unknown) => {
      log.error({ err: error }, 'error while shutting down');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    log.fatal({ err: error, host: options.host, port: options.port }, 'cannot listen');
    process.exit(1);
  }
  const where = options.envParentDir ? `parent dir ${options.envParentDir}` : `environment ${options.env}`;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  log.info({ url: `http://${host}:${port}${options.basePath}/`, serving: where,
    worker: cluster.isWorker ? cluster.worker?.id : undefined }, 'Gatehouse listening');
}

function runPrimary(options: StartOptions): void {
  const workers = new Set<number>();
  let stopping = false;
  for (let i = 0; i < options.workers; i += 1) workers.add(cluster.fork().id);
  cluster.on('exit', (worker, code) => {
    workers.delete(worker.id);
    if (!stopping) {
      process.stderr.write(`gatehouse: worker ${worker.id} exited with ${code}; starting another\n`);
      workers.add(cluster.fork().id);
    } else if (workers.size === 0) process.exit(0);
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    if (workers.size === 0) process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (cluster.isPrimary && !options.env && !options.envParentDir) {
    const created = await ensureDefaultEnvironment(process.cwd());
    if (created.adminPassword) {
      process.stdout.write(`\nCreated the default environment in ${created.path}\n` +
        `Sign in at http://${options.host}:${options.port}${options.basePath}/login as "admin" with password:\n\n` +
        `    ${created.adminPassword}\n\nThis password is shown only once. Change it with:\n` +
        `    npx gatehouse-admin ${created.path} user passwd admin\n\n`);
    }
    options.env = created.path;
  }
  if (cluster.isWorker && !options.env && !options.envParentDir) options.env = process.env.GATEHOUSE_DEFAULT_ENV;
  if (options.workers > 1 && cluster.isPrimary) {
    if (options.env) process.env.GATEHOUSE_DEFAULT_ENV = options.env;
    cluster.setupPrimary({ args: process.argv.slice(2) });
    runPrimary(options);
    return;
  }
  await serve(options);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`gatehouse: cannot start: ${message}\n`);
  process.exit(1);
});
