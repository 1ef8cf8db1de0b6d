/**
 * When no connection can be had: a server that refuses (a closed loopback port), a pool that
 * stays busy past acquire_timeout, connections the server killed. Each ends in a clean
 * GH_ERR_DB_UNAVAILABLE (503) or in a fresh connection, never in a hang or a crash.
 */
import net from 'node:net';
import t, { type Test } from 'tap';
import { openDatabase } from '../../../core/db/open-database';
import { runInRequestScope } from '../../../core/db/request-scope';
import { testOpenContext } from '../../../core/db/testing/db-test-context';
import type { Database } from '../../../core/db/types';
import { parseDatabaseUri } from '../../../core/db/uri';
import { withAdminConnection } from '../test-support';
import { backends, freshFolder, iniFor, needService, openWithCoreSchema, rejection, throwaway } from './support';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function openAt(t: Test, uri: string,
  pool: Record<string, string | number | boolean> = {}): Promise<Database> {
  const context = await testOpenContext(await freshFolder(t), iniFor(uri, pool));
  const db = await openDatabase(uri, context, backends);
  t.teardown(() => db.close());
  return db;
}

void t.test('a server that refuses connections: 503 at once, naming the reason', async (t) => {
  const port = await closedPort();
  for (const scheme of ['postgres', 'mysql']) {
    const db = await openAt(t, `${scheme}://gatehouse@127.0.0.1:${port}/nothing`, { acquire_timeout: 30 });
    const started = Date.now();
    const error = await rejection(db.ping());
    t.equal(error.code, 'GH_ERR_DB_UNAVAILABLE', scheme);
    t.equal(error.status, 503);
    t.match(error.message, /ECONNREFUSED/);
    t.match(error.message, new RegExp(`${scheme}://127\\.0\\.0\\.1:${port}/nothing`), 'names the server');
    t.ok(Date.now() - started < 30_000, 'did not wait for acquire_timeout');
    t.equal((await rejection(runInRequestScope(() => db.get('SELECT 1 AS one')))).code, 'GH_ERR_DB_UNAVAILABLE',
      'a statement fails the same way');
  }
});

void t.test('failing connects are paced, not retried in a loop', async (t) => {
  // A loopback server that accepts and hangs up at once: every connect attempt is counted.
  let attempts = 0;
  const server = net.createServer((socket) => {
    attempts += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as net.AddressInfo;

  const db = await openAt(t, `postgres://gatehouse@127.0.0.1:${port}/nothing`,
    { acquire_timeout: 1, max_connections: 10 });
  const pings: Promise<unknown>[] = [];
  for (let round = 0; round < 30; round += 1) {
    pings.push(rejection(db.ping()));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const errors = await Promise.all(pings) as Array<{ code?: string }>;
  t.ok(errors.every((error) => error.code === 'GH_ERR_DB_UNAVAILABLE'), 'every ping got GH_ERR_DB_UNAVAILABLE');
  t.ok(attempts >= 1, `the server was tried (${attempts} attempts)`);
  t.ok(attempts <= 12, `30 pings in 1.5 s made ${attempts} connect attempts, not thousands`);
});

void t.test('acquire_timeout: a request that finds the pool busy gets a clean 503', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  const { db } = await openWithCoreSchema(t, await throwaway(t, 'postgres', 'acquire'),
    { max_connections: 1, acquire_timeout: 0.5 });

  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let holding: () => void = () => undefined;
  const held = new Promise<void>((resolve) => { holding = resolve; });
  const holder = runInRequestScope(() => db.transaction(async (tx) => {
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['holder', 'A']);
    holding();
    await gate;
  }));
  await held;

  const error = await rejection(runInRequestScope(() => db.get('SELECT 1 AS one')));
  t.equal(error.code, 'GH_ERR_DB_UNAVAILABLE');
  t.equal(error.status, 503);
  t.match(error.message, /no connection within 0\.5 s/);
  t.match(error.message, /all 1 connections allowed to postgres:\/\/127\.0\.0\.1:5432 are in use/);

  const [status] = db.poolStatus();
  t.match(status, { max: 1, size: 1, inUse: 1, idle: 0 });
  release();
  await holder;
  t.same(await runInRequestScope(() => db.get('SELECT username FROM permission')), { username: 'holder' },
    'the next request gets the connection back');
});

void t.test('with one connection, a request\'s nested calls never wait for a second', async (t) => {
  if (!(await needService(t, 'mysql'))) return;
  const { db } = await openWithCoreSchema(t, await throwaway(t, 'mysql', 'nested'),
    { max_connections: 1, acquire_timeout: 2 });
  const result = await runInRequestScope(async () => {
    const [a, b] = await Promise.all([
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO permission VALUES (?, ?)', ['one', 'A']);
        // A helper that uses the database, not the handle, inside the transaction.
        await db.run('INSERT INTO permission VALUES (?, ?)', ['two', 'A']);
        return (await db.get<{ n: number }>('SELECT count(*) AS n FROM permission'))?.n;
      }),
      db.get<{ n: number }>('SELECT count(*) AS n FROM permission').then((row) => row?.n),
    ]);
    await db.ping();
    return { a, b };
  });
  t.same(result, { a: 2, b: 2 }, 'no deadlock: the outside call waited for the transaction, then saw its rows');
});

void t.test('connections the server killed are replaced, not handed out', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  const uri = await throwaway(t, 'postgres', 'killed');
  const { db } = await openWithCoreSchema(t, uri, { max_connections: 4 });
  await Promise.all(Array.from({ length: 8 }, () => runInRequestScope(async () => {
    await db.get('SELECT count(*) AS n FROM permission');
    await new Promise((resolve) => setTimeout(resolve, 10));
    await db.get('SELECT 1 AS one');
  })));
  const before = db.poolStatus()[0].size;
  t.ok(before >= 1, `the pool holds ${before} idle connection(s)`);

  const database = parseDatabaseUri(uri).path;
  const killed = await withAdminConnection('postgres', 'postgres', async (connection) => (await connection.query(
    'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()',
    [database])).rows[0].n);
  t.ok(Number(killed) >= before, `the server terminated every pooled connection (${killed})`);

  // The server tells each idle connection it is being closed; the pool drops it on hearing so.
  for (let waited = 0; db.poolStatus()[0].size > 0 && waited < 5000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  t.equal(db.poolStatus()[0].size, 0, 'the pool noticed and dropped the dead connections');

  const answers = await Promise.all(Array.from({ length: 6 }, () =>
    runInRequestScope(() => db.get<{ n: number }>('SELECT count(*) AS n FROM permission'))));
  t.same(answers, Array(6).fill({ n: 0 }), 'every request after the kill was answered on a new connection');
});

void t.test('a schema= that does not exist is named, not reported as missing tables', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  const existing = parseDatabaseUri(await throwaway(t, 'postgres', 'schema'));
  const db = await openAt(t, `postgres://postgres@127.0.0.1:5432/${existing.path}?schema=no_such_schema`);
  const error = await rejection(db.get('SELECT 1 AS one'));
  t.equal(error.code, 'GH_ERR_DB_URI');
  t.match(error.message, /schema "no_such_schema" does not exist in database "gh_test_/);
  t.equal(db.poolStatus()[0].inUse, 0, 'the connection went back to the pool');
});
