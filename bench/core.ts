/**
 * Core benchmark (issue 2), on loopback, in one run:
 *  1. requests/s of a bare fastify hello-world,
 *  2. the `hello` plugin through dispatchRequest (target: 0.8 of 1 or more),
 *  3. a trac_auth-cookie request to the home page (target: 0.6 of 1 or more),
 *  4. sign-ins/s with 32 concurrent clients on SQLite, each writing a new auth_cookie row
 *     (Trac on Apache/mod_wsgi: about 30/s with "database is locked" failures; target: 1500/s, none failing).
 * The ratios compare like with like: Gatehouse at --log-level warn (no request line), as bare
 * fastify logs nothing; one more figure shows hello with the request line at info.
 * Run: npx tsc -p . && node dist/bench/core.js [seconds-per-measure] [rounds]
 */
import 'reflect-metadata';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { measure } from './lib/load';
import { findWrk, wrkMeasure } from './lib/wrk';
import { gatehouse, serverScript, startProcess, type ServerProcess } from './lib/processes';
import { createEnvironment } from '../core/env/create-environment';
import { openEnvironment } from '../core/env/environment';
import { PASSWORD_STORE } from '../core/components/tokens';
import { runInRequestScope } from '../core/db/request-scope';
import pino from 'pino';

const seconds = Number(process.argv[2] ?? 5);
const connections = 32;
const TRAC_SIGN_INS_PER_SECOND = 30;

interface Figure {
  requestsPerSecond: number;
  failures: number;
  p99Ms: number;
  /** The server's CPU time (user + system, all threads) per completed request, in µs. */
  cpuMicros: number;
}

const wrk = findWrk();

/**
 * One measure against `server`: wrk when installed, else the Node load generator (both warm
 * the server first). Also reads the server's CPU time around it: that figure hardly moves when
 * something else on the machine takes a core for a while, so it checks the throughput ratios.
 */
async function load(server: ServerProcess, url: string, headers: Record<string, string> = {}): Promise<Figure> {
  await measure({ url, headers, connections, durationMs: 1000 });
  const cpuBefore = server.cpuSeconds();
  let figure: Omit<Figure, 'cpuMicros'> & { requests: number };
  if (wrk) figure = await wrkMeasure(wrk, url, { connections, seconds, headers });
  else {
    const result = await measure({ url, headers, connections, durationMs: seconds * 1000 });
    const failures = result.errors + Object.entries(result.statusCounts)
      .filter(([status]) => !/^[23]/.test(status)).reduce((sum, [, count]) => sum + count, 0);
    figure = { requestsPerSecond: result.requestsPerSecond, failures, p99Ms: result.latencyMs.p99, requests: result.requests };
  }
  const cpuMicros = ((server.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, figure.requests);
  return { requestsPerSecond: figure.requestsPerSecond, failures: figure.failures, p99Ms: figure.p99Ms, cpuMicros };
}

function line(label: string, result: Figure): void {
  console.log(`${label.padEnd(44)} ${result.requestsPerSecond.toFixed(0).padStart(8)} req/s  p99 ${result.p99Ms.toFixed(1)} ms  ` +
    `cpu ${Number.isNaN(result.cpuMicros) ? '?' : result.cpuMicros.toFixed(1)} µs/req  failures ${result.failures}`);
}

async function makeEnvironment(): Promise<{ dir: string; envPath: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-bench-'));
  const envPath = path.join(dir, 'bench');
  await createEnvironment(envPath, { projectName: 'Bench', config: {
    components: { 'hello.*': 'enabled', 'auth_basic.*': 'enabled' },
    'auth-basic': { user_file: 'users.htpasswd', bcrypt_cost: '10' },
  } });
  const env = await openEnvironment(envPath, { name: '', log: pino({ level: 'silent' }) });
  await runInRequestScope(async () => {
    const store = env.extensions(PASSWORD_STORE).find((candidate) => candidate.setPassword);
    if (!store?.setPassword) throw new Error('auth_basic did not load');
    await store.setPassword('bench', 'bench-password');
  });
  await env.close();
  return { dir, envPath };
}

const ROUNDS = Number(process.argv[3] ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  console.log(`Gatehouse core benchmark: ${connections} connections, ${seconds} s per measure, ${ROUNDS} rounds, ` +
    `${os.cpus().length} cores, load from ${wrk ? 'wrk' : 'the Node load generator (apt-get install wrk for a lighter client)'}`);
  console.log('Each round measures the reference and Gatehouse back to back; the ratios are medians over rounds,');
  console.log('since a shared two-core machine drifts by 20 % between runs.\n');

  const { dir, envPath } = await makeEnvironment();
  const startGatehouse = (extra: string[] = []) => startProcess(serverScript, gatehouse(['--env', envPath, ...extra]), '/hello');
  let server = await startGatehouse();
  const authorization = `Basic ${Buffer.from('bench:bench-password').toString('base64')}`;
  const signIn = await fetch(`${server.base}/login`, { headers: { authorization }, redirect: 'manual' });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('trac_auth=')) throw new Error(`sign-in failed: ${signIn.status}`);
  // The same page bytes from bare fastify: how much of the gap is the page's size alone.
  const pageFile = path.join(dir, 'home.html');
  await fs.writeFile(pageFile, await (await fetch(`${server.base}/`, { headers: { cookie } })).text());
  await server.stop();
  const startBare = () => startProcess(path.join(__dirname, 'servers', 'bare-fastify.js'),
    (port) => [String(port), pageFile], '/hello');

  // Fresh server processes every round: one process can run 15 % faster or slower than the
  // next (where the JIT and the scheduler happened to put things), and that should average out
  // like the machine's drift does.
  const ratios = { dispatch: [] as number[], cookie: [] as number[], samePage: [] as number[] };
  const bareHellos: number[] = [];
  // The same comparison by CPU time per request: bare's µs over ours.
  const cpuRatios = { dispatch: [] as number[], cookie: [] as number[] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    console.log(`round ${round}`);
    const bare = await startBare();
    server = await startGatehouse();
    const bareHello = await load(bare, `${bare.base}/hello`);
    line('  bare fastify hello-world', bareHello);
    const hello = await load(server, `${server.base}/hello`);
    line('  hello plugin through dispatchRequest', hello);
    const home = await load(server, `${server.base}/`, { cookie });
    line('  home page with a trac_auth cookie', home);
    const barePage = await load(bare, `${bare.base}/page`);
    line('  bare fastify sending the same page bytes', barePage);
    await Promise.all([bare.stop(), server.stop()]);
    bareHellos.push(bareHello.requestsPerSecond);
    ratios.dispatch.push(hello.requestsPerSecond / bareHello.requestsPerSecond);
    ratios.cookie.push(home.requestsPerSecond / bareHello.requestsPerSecond);
    ratios.samePage.push(home.requestsPerSecond / barePage.requestsPerSecond);
    cpuRatios.dispatch.push(bareHello.cpuMicros / hello.cpuMicros);
    cpuRatios.cookie.push(bareHello.cpuMicros / home.cpuMicros);
  }

  // For information: the request log line costs something at the default level (info).
  server = await startGatehouse(['--log-level', 'info']);
  const logged = await load(server, `${server.base}/hello`);
  line('hello with a log line per request (info)', logged);

  const signInResult = await load(server, `${server.base}/login`, { authorization });
  line('sign-ins (new auth_cookie row each)', signInResult);
  await server.stop();
  await fs.rm(dir, { recursive: true, force: true });

  const signInRatio = signInResult.requestsPerSecond / TRAC_SIGN_INS_PER_SECOND;
  console.log('');
  console.log(`dispatchRequest / bare fastify:   ${median(ratios.dispatch).toFixed(2)}  (target >= 0.8)`);
  console.log(`cookie home page / bare fastify:  ${median(ratios.cookie).toFixed(2)}  (target >= 0.6)`);
  console.log(`cookie home page / bare fastify sending the same page: ${median(ratios.samePage).toFixed(2)}`);
  console.log(`by CPU time per request (bare's over ours): dispatchRequest ${median(cpuRatios.dispatch).toFixed(2)}, ` +
    `cookie home page ${median(cpuRatios.cookie).toFixed(2)}`);
  console.log(`hello with info log lines / median bare fastify hello: ${(logged.requestsPerSecond / median(bareHellos)).toFixed(2)}` +
    ' (for information; the ratios above run at --log-level warn, as bare fastify logs nothing)');
  console.log(`sign-ins / Trac's ~30 per second: ${signInRatio.toFixed(1)}x (target >= 50x), failed: ${signInResult.failures}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
