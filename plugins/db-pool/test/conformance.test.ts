/**
 * The same Database behaviour on SQLite (the built-in reference), PostgreSQL and MariaDB.
 */
import t from 'tap';
import { conformanceSuite } from './conformance-suite';
import { needService, openWithCoreSchema, throwaway } from './support';

void t.test('SQLite (reference)', async (t) => {
  conformanceSuite(t, async (t) => (await openWithCoreSchema(t, 'sqlite:db/trac.db')).db);
});

void t.test('PostgreSQL', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  conformanceSuite(t, async (t) => (await openWithCoreSchema(t, await throwaway(t, 'postgres', 'conformance'))).db);
});

void t.test('PostgreSQL, one connection for everything', async (t) => {
  if (!(await needService(t, 'postgres'))) return;
  conformanceSuite(t, async (t) =>
    (await openWithCoreSchema(t, await throwaway(t, 'postgres', 'conformance1'), { max_connections: 1 })).db);
});

void t.test('MariaDB', async (t) => {
  if (!(await needService(t, 'mysql'))) return;
  conformanceSuite(t, async (t) => (await openWithCoreSchema(t, await throwaway(t, 'mysql', 'conformance'))).db);
});
