/**
 * `postgres.poolable = false` / `mysql.poolable = false`: each request opens its own connection,
 * uses it for every call it makes, and closes it when it ends. The server's connection count is
 * the number of requests in flight, and zero when none are.
 */
import t from 'tap';
import { runInRequestScope } from '../../../core/db/request-scope';
import type { Database } from '../../../core/db/types';
import { parseDatabaseUri } from '../../../core/db/uri';
import type { ServiceKind } from '../test-support';
import { withAdminConnection } from '../test-support';
import { needService, openWithCoreSchema, throwaway } from './support';

const sessionIdSql: Record<ServiceKind, string> = {
  postgres: 'SELECT pg_backend_pid() AS id',
  mysql: 'SELECT CONNECTION_ID() AS id',
};

async function serverCount(kind: ServiceKind, database: string): Promise<number> {
  const sql = kind === 'postgres'
    ? 'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()'
    : 'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()';
  return withAdminConnection(kind, kind === 'postgres' ? 'postgres' : 'mysql',
    async (connection) => Number((await connection.query(sql, [database])).rows[0].n));
}

async function waitFor(condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let waited = 0; waited < 10_000 && !(await condition()); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const kind of ['postgres', 'mysql'] as const) {
  void t.test(`${kind}.poolable = false: connections follow requests in flight`, async (t) => {
    if (!(await needService(t, kind))) return;
    const uri = await throwaway(t, kind, 'unpooled');
    const database = parseDatabaseUri(uri).path;
    const { db } = await openWithCoreSchema(t, uri, { [`${kind}.poolable`]: false, max_connections: 10 });
    await waitFor(async () => (await serverCount(kind, database)) === 0);
    t.equal(await serverCount(kind, database), 0, 'nothing is held after set-up');

    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    let started = 0;
    const request = (index: number) => runInRequestScope(async () => {
      const first = await (db as Database).get<{ id: number }>(sessionIdSql[kind]);
      started += 1;
      await gate;
      const inTransaction = await db.transaction(async (tx) => {
        await tx.run('INSERT INTO permission VALUES (?, ?)', [`user${index}`, 'A']);
        return (await db.get<{ id: number }>(sessionIdSql[kind]))?.id;
      });
      const last = await db.get<{ id: number }>(sessionIdSql[kind]);
      return [first?.id, inTransaction, last?.id];
    });

    const requests = Array.from({ length: 5 }, (_unused, index) => request(index));
    await waitFor(() => started === 5);
    t.equal(await serverCount(kind, database), 5, 'five requests in flight hold five connections');
    t.match(db.poolStatus()[0], { poolable: false, size: 5, inUse: 5, idle: 0 });

    open();
    const ids = await Promise.all(requests);
    for (const [index, [first, inTransaction, last]] of ids.entries()) {
      t.ok(first === inTransaction && first === last, `request ${index} used one connection throughout`);
    }
    t.equal(new Set(ids.map(([first]) => first)).size, 5, 'each request had its own connection');

    await waitFor(async () => (await serverCount(kind, database)) === 0);
    t.equal(await serverCount(kind, database), 0, 'every connection closed when its request ended');
    t.match(db.poolStatus()[0], { size: 0, inUse: 0 });
    t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM permission'))?.n, 5);
  });
}
