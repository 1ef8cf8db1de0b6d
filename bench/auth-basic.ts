/**
 * auth-basic benchmark (issue 3), on loopback, in one server process and one run:
 *  1. the home page with a trac_auth cookie (the core benchmark's cookie request),
 *  2. the home page with the same Basic header on every request, for a bcrypt cost-10 user,
 *     verification cache warm (target: 0.5 of 1 or more),
 *  3. the same with the verification cache off (`cache_size = 0`): every request pays bcrypt.
 * Run: npx tsc -p . && node dist/bench/auth-basic.js [seconds-per-measure]
 */
import 'reflect-metadata';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bcryptHash } from '../plugins/auth-basic/hashes/bcrypt';
import { measure, type LoadResult } from './lib/load';
import { gatehouse, serverScript, startProcess } from './lib/processes';
import { createEnvironment } from '../core/env/create-environment';

const seconds = Number(process.argv[2] ?? 5);
const connections = 32;
const TARGET_RATIO = 0.5;
const USER = 'bench';
const PASSWORD = 'bench-password';

function report(label: string, result: LoadResult): void {
  const failures = result.errors + Object.entries(result.statusCounts)
    .filter(([status]) => !/^[23]/.test(status)).reduce((sum, [, count]) => sum + count, 0);
  console.log(`${label.padEnd(48)} ${result.requestsPerSecond.toFixed(0).padStart(8)} req/s  `
    + `p99 ${result.latencyMs.p99.toFixed(1)} ms  failures ${failures}`);
}

/** A parent dir with three environments sharing one htpasswd file (one bcrypt-10 user). */
async function makeSite(): Promise<string> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-bench-basic-'));
  const userFile = path.join(parent, 'users.htpasswd');
  const stored = await bcryptHash(Buffer.from(PASSWORD, 'utf8'), 10);
  await fs.writeFile(userFile, `${USER}:${stored}\n`, { mode: 0o640 });

  const environments: Record<string, Record<string, string>> = {
    cookie: { paths: '/login' },
    basic: { paths: '/' },
    cold: { paths: '/', cache_size: '0' },
  };
  for (const [name, settings] of Object.entries(environments)) {
    await createEnvironment(path.join(parent, name), { projectName: name, config: {
      components: { 'auth_basic.*': 'enabled' },
      'auth-basic': { user_file: userFile, bcrypt_cost: '10', ...settings },
    } });
  }
  return parent;
}

async function main(): Promise<void> {
  const durationMs = seconds * 1000;
  console.log(`Gatehouse auth-basic benchmark: ${connections} connections, ${seconds} s per measure, `
    + `${os.cpus().length} cores`);

  const parent = await makeSite();
  const server = await startProcess(serverScript, gatehouse(['--env-parent-dir', parent]), '/cookie/');
  const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

  try {
    const signIn = await fetch(`${server.base}/cookie/login`, { headers: { authorization }, redirect: 'manual' });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    if (!cookie.startsWith('trac_auth=')) throw new Error(`sign-in failed: ${signIn.status}`);

    const cookieResult = await measure({ url: `${server.base}/cookie/`, headers: { cookie },
      connections, durationMs, warmupRequests: 2000 });
    report('home page, trac_auth cookie', cookieResult);

    const warmResult = await measure({ url: `${server.base}/basic/`, headers: { authorization },
      connections, durationMs, warmupRequests: 2000 });
    report('home page, Basic bcrypt-10, cache warm', warmResult);

    // bcrypt runs on libuv's four pool threads: a short run says enough.
    const coldResult = await measure({ url: `${server.base}/cold/`, headers: { authorization },
      connections, durationMs: Math.min(durationMs, 3000), warmupRequests: 8 });
    report('home page, Basic bcrypt-10, cache off', coldResult);

    const ratio = warmResult.requestsPerSecond / cookieResult.requestsPerSecond;
    console.log('');
    console.log(`Basic (cache warm) / cookie: ${ratio.toFixed(2)} (target ${TARGET_RATIO} or more: `
      + `${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`);
    console.log(`Basic (cache off) / cookie: ${(coldResult.requestsPerSecond / cookieResult.requestsPerSecond)
      .toFixed(3)} (the price of bcrypt on every request)`);
  } finally {
    await server.stop();
    await fs.rm(parent, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
