/**
 * One connection budget per server: many environments (schemas of one database, or separate
 * databases) never hold more connections than max_connections, counted by the server itself.
 */
import t from 'tap';
import { runInRequestScope } from '../../../core/db/request-scope';
import type { Database } from '../../../core/db/types';
import { parseDatabaseUri } from '../../../core/db/uri';
import { withAdminConnection } from '../test-support';
import { needService, openWithCoreSchema, postgresConnectionCount, throwaway } from './support';

/** Samples `count` until `stop` is called; resolves to the largest value seen. */
function samplePeak(count: () => Promise<number>): { stop(): Promise<number> } {
  let running = true;
  let peak = 0;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await count());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** Runs `tasks` with at most `concurrency` in flight; resolves to their settled results. */
async function runConcurrently<T>(tasks: Array<() => Promise<T>>, concurrency: number):
  Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await tasks[index]() };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** One request's worth of database work: reads, a transaction, a nested helper call, a ping. */
async function requestWork(db: Database, tag: string): Promise<void> {
  await runInRequestScope(async () => {
    await db.get('SELECT count(*) AS n FROM permission');
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO permission (username, action) VALUES (?, ?)', [tag, 'WIKI_VIEW']);
      await db.get('SELECT 1 AS inside FROM permission WHERE username = ?', [tag]);
    });
    await Promise.all([db.ping(), db.all('SELECT * FROM "system"')]);
  });
}

void t.test('50 environments on one PostgreSQL database hold at most max_connections', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  const environments: Database[] = [];
  let database = '';
  for (let index = 0; index < 50; index += 1) {
    const uri = await throwaway(t, 'postgres', `budget${index}`);
    database = parseDatabaseUri(uri).path;
    environments.push((await openWithCoreSchema(t, uri, { max_connections: 10, acquire_timeout: 20 })).db);
  }

  const sampler = samplePeak(() => postgresConnectionCount(database));
  const tasks = Array.from({ length: 500 }, (_unused, index) =>
    () => requestWork(environments[index % 50], `user${index}`));
  const results = await runConcurrently(tasks, 64);
  const peak = await sampler.stop();

  const failures = results.filter((result) => result.status === 'rejected');
  t.equal(failures.length, 0, 'every request succeeded',
    { failures: failures.slice(0, 3).map((failure) => String((failure as PromiseRejectedResult).reason)) });
  t.ok(peak <= 10, `PostgreSQL counted at most 10 connections (peak ${peak})`);
  t.ok(peak >= 2, `the pool served requests side by side (peak ${peak})`);

  for (const [index, db] of environments.entries()) {
    const rows = await db.get<{ n: number }>('SELECT count(*) AS n FROM permission');
    if (rows?.n !== 10) t.fail(`environment ${index} holds ${rows?.n} rows, not its own 10`);
  }
  t.pass('each environment saw only the rows of its own schema');

  const [status] = environments[0].poolStatus();
  t.match(status, { server: 'postgres://127.0.0.1:5432', poolable: true, max: 10, inUse: 0, waiting: 0 });
  t.ok(status.size <= 10 && status.idle === status.size, 'idle connections stay within the budget');
});

void t.test('two MariaDB databases share one budget; idle connections make room for the other', async (t) => {
  if (!(await needService(t, 'mysql'))) return;
  const first = parseDatabaseUri(await throwaway(t, 'mysql', 'budget_a'));
  const second = parseDatabaseUri(await throwaway(t, 'mysql', 'budget_b'));
  // A long idle_timeout: without making room, the second database would wait for 30 s.
  const pool = { max_connections: 3, acquire_timeout: 3, idle_timeout: 30 };
  const a = (await openWithCoreSchema(t, first.text, pool)).db;
  const b = (await openWithCoreSchema(t, second.text, pool)).db;

  const count = () => withAdminConnection('mysql', 'mysql', async (connection) => {
    const result = await connection.query(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB IN (?, ?)', [first.path, second.path]);
    return Number(result.rows[0].n);
  });

  const sampler = samplePeak(count);
  const onA = await runConcurrently(Array.from({ length: 60 }, (_u, i) => () => requestWork(a, `a${i}`)), 8);
  const onB = await runConcurrently(Array.from({ length: 60 }, (_u, i) => () => requestWork(b, `b${i}`)), 8);
  const mixed = await runConcurrently(Array.from({ length: 60 },
    (_u, i) => () => requestWork(i % 2 ? a : b, `m${i}`)), 8);
  const peak = await sampler.stop();

  const rejected = [onA, onB, mixed].map((results) =>
    results.filter((result): result is PromiseRejectedResult => result.status === 'rejected'));
  t.same(rejected.map((list) => list.length), [0, 0, 0],
    'no request failed, though the first database kept its connections idle when the second started',
    { reasons: rejected.flat().slice(0, 3).map((result) => String(result.reason)) });
  t.ok(peak <= 3, `MariaDB counted at most 3 connections for both databases (peak ${peak})`);
  const [status] = a.poolStatus();
  t.equal(status.server, 'mysql://127.0.0.1:3306');
  t.equal(status.max, 3);
});

void t.test('the smallest max_connections among environments on a server is the budget', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  const roomy = await openWithCoreSchema(t, await throwaway(t, 'postgres', 'roomy'), { max_connections: 8 });
  const tight = await openWithCoreSchema(t, await throwaway(t, 'postgres', 'tight'), { max_connections: 2 });
  t.equal(roomy.db.poolStatus()[0].max, 2);
  t.equal(tight.db.poolStatus()[0].max, 2);
  t.ok(roomy.context.logLines.some((line) => /disagree on \[db-pool\] max_connections/.test(String(line.msg))) ||
    tight.context.logLines.some((line) => /disagree on \[db-pool\] max_connections/.test(String(line.msg))),
  'a warning says the environments disagree');
  const results = await runConcurrently(Array.from({ length: 30 },
    (_u, i) => () => requestWork(i % 2 ? roomy.db : tight.db, `s${i}`)), 10);
  t.equal(results.filter((r) => r.status === 'rejected').length, 0);
  t.ok(roomy.db.poolStatus()[0].size <= 2);
  await tight.db.close();
  t.equal(roomy.db.poolStatus()[0].max, 8, 'when the tighter environment closes, the other one\'s limit applies');
});
