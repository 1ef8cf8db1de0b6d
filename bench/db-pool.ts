/**
 * db-pool benchmark (issue 5), on loopback, in one run:
 *  1. the trac_auth-cookie home page on PostgreSQL and on MariaDB against the same on SQLite,
 *     one server process serving the three environments (target: PostgreSQL 0.7 of SQLite or more);
 *  2. 50 environments on one PostgreSQL database (a schema each) under load, with
 *     `max_connections = 10`, printing the peak connection count PostgreSQL saw against that budget.
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and, for the MariaDB line, MariaDB on
 * 127.0.0.1:3306 (user root); throw-away gh_test_* databases are dropped at the end.
 * Run: npx tsc -p . && node dist/bench/db-pool.js [seconds-per-measure]
 */
import 'reflect-metadata';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bcryptHash } from '../plugins/auth-basic/hashes/bcrypt';
import { createEnvironment } from '../core/env/create-environment';
import { parseDatabaseUri } from '../core/db/uri';
import { serviceAvailable, throwawayDatabaseUri, withAdminConnection } from '../plugins/db-pool/test-support';
import { measure, type LoadResult } from './lib/load';
import { gatehouse, serverScript, startProcess } from './lib/processes';

const seconds = Number(process.argv[2] ?? 5);
const connections = 32;
const TARGET_RATIO = 0.7;
const BUDGET = 10;
const USER = 'bench';
const PASSWORD = 'bench-password';

const drops: Array<() => Promise<void>> = [];
const folders: string[] = [];

function failuresOf(result: LoadResult): number {
  return result.errors + Object.entries(result.statusCounts)
    .filter(([status]) => !/^[23]/.test(status)).reduce((sum, [, count]) => sum + count, 0);
}

function report(label: string, result: LoadResult): void {
  console.log(`${label.padEnd(46)} ${result.requestsPerSecond.toFixed(0).padStart(8)} req/s  `
    + `p99 ${result.latencyMs.p99.toFixed(1)} ms  failures ${failuresOf(result)}`);
}

async function throwaway(kind: string, name: string): Promise<string> {
  const made = await throwawayDatabaseUri(kind, name);
  drops.push(made.drop);
  return made.uri;
}

async function tempFolder(prefix: string): Promise<string> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/** Signs in with Basic on /login and returns the `trac_auth=...` cookie. */
async function cookieFor(base: string, env: string): Promise<string> {
  const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const reply = await fetch(`${base}/${env}/login`, { headers: { authorization }, redirect: 'manual' });
  const cookie = (reply.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('trac_auth=')) throw new Error(`sign-in on ${env} failed: ${reply.status}`);
  return cookie;
}

/** Part 1: one environment per database kind, the same user, the same page. */
async function homePageByBackend(withMysql: boolean): Promise<void> {
  const parent = await tempFolder('gh-bench-db-');
  const userFile = path.join(parent, 'users.htpasswd');
  await fs.writeFile(userFile, `${USER}:${await bcryptHash(Buffer.from(PASSWORD, 'utf8'), 10)}\n`);
  const databases: Record<string, string | undefined> = {
    sqlite: undefined,
    postgres: await throwaway('postgres', 'bench_home'),
    ...(withMysql ? { mysql: await throwaway('mysql', 'bench_home') } : {}),
  };
  for (const [name, databaseUri] of Object.entries(databases)) {
    await createEnvironment(path.join(parent, name), { projectName: name, databaseUri, config: {
      components: { 'auth_basic.*': 'enabled' },
      'auth-basic': { user_file: userFile },
    } });
  }

  const server = await startProcess(serverScript, gatehouse(['--env-parent-dir', parent]), '/sqlite/');
  try {
    const results: Record<string, LoadResult> = {};
    for (const name of Object.keys(databases)) {
      const cookie = await cookieFor(server.base, name);
      results[name] = await measure({ url: `${server.base}/${name}/`, headers: { cookie }, connections,
        durationMs: seconds * 1000, warmupRequests: 2000 });
      report(`home page with trac_auth cookie, ${name}`, results[name]);
    }
    const ratio = results.postgres.requestsPerSecond / results.sqlite.requestsPerSecond;
    console.log(`PostgreSQL / SQLite: ${ratio.toFixed(2)} (target ${TARGET_RATIO} or more: `
      + `${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`);
    if (results.mysql) {
      console.log(`MariaDB / SQLite: ${(results.mysql.requestsPerSecond / results.sqlite.requestsPerSecond).toFixed(2)}`);
    }
  } finally {
    await server.stop();
  }
}

/** Part 2: 50 environments, one database, one budget. */
async function fiftyEnvironments(): Promise<void> {
  const parent = await tempFolder('gh-bench-db50-');
  let database = '';
  for (let index = 0; index < 50; index += 1) {
    const uri = await throwaway('postgres', `bench50_${index}`);
    database = parseDatabaseUri(uri).path;
    await createEnvironment(path.join(parent, `p${index}`), { projectName: `Project ${index}`, databaseUri: uri,
      config: { 'db-pool': { max_connections: String(BUDGET) } } });
  }

  const server = await startProcess(serverScript, gatehouse(['--env-parent-dir', parent]), '/p0/health');
  let sampling = true;
  let peak = 0;
  const samples: number[] = [];
  const sampler = (async () => {
    while (sampling) {
      const count = await withAdminConnection('postgres', 'postgres', async (connection) => Number((await connection.query(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ?', [database])).rows[0].n));
      samples.push(count);
      peak = Math.max(peak, count);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    // 64 clients spread over the 50 environments, half on /health (a ping), half on the home page.
    const results = await Promise.all(Array.from({ length: 16 }, (_unused, index) => measure({
      url: `${server.base}/p${(index * 3) % 50}/${index % 2 ? 'health' : ''}`, connections: 4,
      durationMs: seconds * 1000, warmupRequests: 40,
    })));
    const total = results.reduce((sum, result) => sum + result.requestsPerSecond, 0);
    const failures = results.reduce((sum, result) => sum + failuresOf(result), 0);
    console.log(`50 environments, 64 clients: ${total.toFixed(0)} req/s in all, failures ${failures}`);
  } finally {
    sampling = false;
    await sampler;
    await server.stop();
  }
  console.log(`peak PostgreSQL connections: ${peak} for a budget of ${BUDGET} `
    + `(${peak <= BUDGET ? 'held' : 'EXCEEDED'}; ${samples.length} samples of pg_stat_activity)`);
}

async function main(): Promise<void> {
  if (!(await serviceAvailable('postgres'))) throw new Error('PostgreSQL on 127.0.0.1:5432 does not answer');
  const withMysql = await serviceAvailable('mysql');
  console.log(`Gatehouse db-pool benchmark: ${connections} connections, ${seconds} s per measure, `
    + `${os.cpus().length} cores${withMysql ? '' : ' (MariaDB not running: its line is left out)'}`);
  try {
    await homePageByBackend(withMysql);
    console.log('');
    await fiftyEnvironments();
  } finally {
    for (const drop of drops.reverse()) await drop().catch(() => undefined);
    for (const folder of folders) await fs.rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
