/**
 * Through the real server: 50 environments on one PostgreSQL hold the budget under load, the
 * pool figures on /about for TRAC_ADMIN and in `gatehouse-admin ENV db status`, and a clean 503
 * page and /health report when no connection comes within acquire_timeout.
 */
import 'reflect-metadata';
import path from 'node:path';
import t from 'tap';
import { createEnvironment } from '../../../core/env/create-environment';
import { runInRequestScope } from '../../../core/db/request-scope';
import { openDatabase } from '../../../core/db/open-database';
import { testOpenContext } from '../../../core/db/testing/db-test-context';
import { parseDatabaseUri } from '../../../core/db/uri';
import { startServer } from '../../../core/server-app';
import { measure } from '../../../bench/lib/load';
import { admin, installPlugin, send, signIn } from '../../../test/fixtures/core-kit';
import { backends, freshFolder, iniFor, needService, postgresConnectionCount, throwaway } from './support';

void t.test('50 environments behind one server keep PostgreSQL within max_connections', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  const parent = await freshFolder(t);
  let database = '';
  for (let index = 0; index < 50; index += 1) {
    const uri = await throwaway(t, 'postgres', `http${index}`);
    database = parseDatabaseUri(uri).path;
    await createEnvironment(path.join(parent, `p${index}`), { databaseUri: uri,
      config: { 'db-pool': { max_connections: '10', acquire_timeout: '20' } } });
  }
  const first = path.join(parent, 'p0');
  await installPlugin(path.join(first, 'plugins'), 'test_auth');
  t.equal((await admin([first, 'permission', 'add', 'alice', 'TRAC_ADMIN'])).status, 0);

  const status = await admin([first, 'db', 'status']);
  t.equal(status.status, 0, 'db status runs', { err: status.err });
  t.match(status.out, new RegExp(`database: postgres://127\\.0\\.0\\.1:5432/${database} \\(schema `));
  t.match(status.out, /settings: max_connections 10, min_idle 0, idle_timeout 30 s, acquire_timeout 20 s/);
  t.match(status.out, /this process: size \d+, in use \d+, idle \d+, waiting 0 \(max 10, pooled\)/);
  t.match(status.out, /on the server now: \d+ connection\(s\) from Gatehouse to this database/);

  const server = await startServer({ envParentDir: parent });
  t.teardown(() => server.close());

  let sampling = true;
  let peak = 0;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await postgresConnectionCount(database));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const results = await Promise.all(Array.from({ length: 10 }, (_unused, index) => measure({
    url: `${server.url}/p${index * 5}/${index % 2 ? 'health' : ''}`, connections: 4, maxRequests: 150,
    durationMs: 60_000,
  })));
  sampling = false;
  await sampler;

  const statuses: Record<string, number> = {};
  for (const result of results) {
    for (const [code, count] of Object.entries(result.statusCounts)) statuses[code] = (statuses[code] ?? 0) + count;
  }
  t.same(statuses, { 200: 1500 }, 'all 1500 home pages and health checks answered 200');
  t.ok(peak <= 10, `PostgreSQL counted at most 10 connections (peak ${peak})`);

  const cookie = (await signIn(`${server.url}/p0`, 'alice')).cookie;
  const about = await send(`${server.url}/p0/about`, { headers: { cookie: `trac_auth=${cookie}` } });
  t.match(about.body, /<td>postgres:\/\/127\.0\.0\.1:5432<\/td><td>yes<\/td><td>10<\/td>/,
    '/about shows the pool of the server to TRAC_ADMIN');
  const anonymous = await send(`${server.url}/p0/about`);
  t.notMatch(anonymous.body, /postgres:\/\/127/, 'and not to anonymous');
});

void t.test('no connection within acquire_timeout: a 503 page and a /health that says why', async (t) => {
  if (!(await needService(t, 'mysql'))) return;
  const uri = await throwaway(t, 'mysql', 'busy');
  const envPath = path.join(await freshFolder(t), 'busy');
  const pool = { max_connections: '1', acquire_timeout: '0.5' };
  await createEnvironment(envPath, { databaseUri: uri, config: { 'db-pool': pool } });
  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());
  t.equal((await send(`${server.url}/health`)).status, 200);

  // The same database opened in this process shares the server's pool: hold its one connection.
  const context = await testOpenContext(await freshFolder(t), iniFor(uri, pool));
  const db = await openDatabase(uri, context, backends);
  t.teardown(() => db.close());
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let holding: () => void = () => undefined;
  const held = new Promise<void>((resolve) => { holding = resolve; });
  const holder = runInRequestScope(() => db.transaction(async (tx) => {
    await tx.get('SELECT 1 AS one');
    holding();
    await gate;
  }));
  await held;

  const health = await send(`${server.url}/health`);
  t.equal(health.status, 503);
  t.match(health.body, /"status":"unavailable"/);
  t.match(health.body, /no connection within 0\.5 s/);
  // /about asks the permission system (the database) whether the visitor is an administrator.
  const page = await send(`${server.url}/about`);
  t.equal(page.status, 503, 'a page that needs the database is a 503 too');
  t.match(page.body, /GH_ERR_DB_UNAVAILABLE/);
  t.notMatch(page.body, /at .*\.js:\d+/, 'no stack trace');

  release();
  await holder;
  t.equal((await send(`${server.url}/health`)).status, 200, 'served again once the connection is free');
});
