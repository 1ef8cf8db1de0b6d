/**
 * The database server goes away mid-load and comes back, on a PostgreSQL cluster of the test's
 * own: requests get 503 pages and /health says so while it is down, service resumes without a
 * restart, and no committed write is lost nor any transaction left half-written.
 */
import 'reflect-metadata';
import path from 'node:path';
import t from 'tap';
import { createEnvironment } from '../../../core/env/create-environment';
import { startServer } from '../../../core/server-app';
import { runInRequestScope } from '../../../core/db/request-scope';
import { openDatabase } from '../../../core/db/open-database';
import { testOpenContext } from '../../../core/db/testing/db-test-context';
import { request } from '../../../test/helpers/http';
import { backends, iniFor } from './support';
import { ownPostgresCluster, postgresBinaries } from './own-postgres';

const binaries = postgresBinaries();
const skip = binaries || process.env.GATEHOUSE_REQUIRE_SERVICES === '1'
  ? false
  : 'PostgreSQL server binaries (initdb, pg_ctl) are not installed under /usr/lib/postgresql';

async function until(condition: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < limitMs;) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

void t.test('the server stops and starts again under load', { skip }, async (t) => {
  const cluster = await ownPostgresCluster();
  t.teardown(() => cluster.destroy());
  const uri = `postgres://postgres@127.0.0.1:${cluster.port}/gh_test_outage?schema=site`;

  const folder = t.testdir();
  const envPath = path.join(folder, 'outage');
  await createEnvironment(envPath, { databaseUri: uri,
    config: { 'db-pool': { acquire_timeout: '2', max_connections: '4' } } });
  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());
  const health = async () => {
    const response = await request(`${server.url}/health`);
    return { status: response.status, type: response.headers['content-type'], body: response.body };
  };
  t.equal((await health()).status, 200, '/health is 200 while the database runs');

  // A second view of the same database in this process, for the writers: it shares the pool.
  const context = await testOpenContext(path.join(folder, 'writers'),
    iniFor(uri, { acquire_timeout: 2, max_connections: 4 }));
  const db = await openDatabase(uri, context, backends);
  t.teardown(() => db.close());

  const committed: number[] = [];
  const failures: Array<{ code?: string; status?: number; message: string }> = [];
  let writing = true;
  t.teardown(() => { writing = false; });
  let next = 0;
  const writer = async () => {
    while (writing) {
      const pair = next++;
      try {
        await runInRequestScope(() => db.transaction(async (tx) => {
          await tx.run('INSERT INTO permission VALUES (?, ?)', [`pair${pair}`, 'FIRST']);
          await new Promise((resolve) => setTimeout(resolve, 2));
          await tx.run('INSERT INTO permission VALUES (?, ?)', [`pair${pair}`, 'SECOND']);
        }));
        committed.push(pair);
      } catch (error) {
        failures.push(error as { code?: string; status?: number; message: string });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const writers = Array.from({ length: 4 }, writer);
  await until(async () => committed.length >= 20, 10_000);

  await cluster.stop();
  const committedBeforeStop = committed.length;
  t.ok(committedBeforeStop >= 20, `${committedBeforeStop} transactions committed before the stop`);
  const down = await health();
  t.equal(down.status, 503, '/health is 503 while the server is stopped');
  t.match(down.type, /json/, 'it is the health report, not an error page', { body: down.body.slice(0, 2000) });
  t.match(down.body, /"status":"unavailable"/);
  const page = await request(`${server.url}/about`);
  t.equal(page.status, 503, 'a page that needs the database is a 503');

  await new Promise((resolve) => setTimeout(resolve, 500));
  await cluster.start();
  t.ok(await until(async () => (await health()).status === 200, 20_000), '/health is 200 again, no restart');
  const afterRestart = committed.length;
  await until(async () => committed.length >= afterRestart + 20, 10_000);
  writing = false;
  await Promise.all(writers);

  t.ok(failures.length >= 1, `${failures.length} writes failed while the server was away`);
  t.same(failures.filter((failure) => failure.code !== 'GH_ERR_DB_UNAVAILABLE' || failure.status !== 503), [],
    'every failure was a clean GH_ERR_DB_UNAVAILABLE (503)');
  t.ok(committed.length >= afterRestart + 20, 'writes commit again after the restart');

  const rows = await runInRequestScope(() =>
    db.all<{ username: string; action: string }>('SELECT username, action FROM permission'));
  const halves = new Map<string, number>();
  for (const row of rows) halves.set(row.username, (halves.get(row.username) ?? 0) + 1);
  t.same([...halves.values()].filter((count) => count !== 2), [], 'no transaction is half-written');
  t.same(committed.filter((pair) => halves.get(`pair${pair}`) !== 2), [], 'every committed write is there');
});
