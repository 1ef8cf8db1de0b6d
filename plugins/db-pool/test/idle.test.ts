/**
 * min_idle and idle_timeout: a burst opens connections up to the budget; once idle past
 * idle_timeout they close again, down to min_idle, which stays open from the start.
 */
import t from 'tap';
import { runInRequestScope } from '../../../core/db/request-scope';
import { parseDatabaseUri } from '../../../core/db/uri';
import { needService, openWithCoreSchema, postgresConnectionCount, throwaway } from './support';

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 10_000 && !(await condition()); waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void t.test('idle connections close after idle_timeout, down to min_idle', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  const uri = await throwaway(t, 'postgres', 'idle');
  const database = parseDatabaseUri(uri).path;
  const { db } = await openWithCoreSchema(t, uri, { min_idle: 2, idle_timeout: 0.5, max_connections: 6 });

  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const burst = Array.from({ length: 6 }, () => runInRequestScope(() => db.transaction(async (tx) => {
    await tx.get('SELECT 1 AS one');
    await gate;
  })));
  await waitFor(async () => db.poolStatus()[0].inUse === 6);
  t.match(db.poolStatus()[0], { size: 6, inUse: 6, max: 6 }, 'the burst opened the whole budget');
  open();
  await Promise.all(burst);

  await waitFor(async () => db.poolStatus()[0].size === 2);
  t.match(db.poolStatus()[0], { size: 2, idle: 2, inUse: 0 }, 'idle connections closed down to min_idle');
  await waitFor(async () => (await postgresConnectionCount(database)) === 2);
  t.equal(await postgresConnectionCount(database), 2, 'PostgreSQL agrees');
});
