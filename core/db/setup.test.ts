import t, { type Test } from 'tap';
import type { EnvironmentSetupParticipant } from '../env/types';
import type { GatehouseError } from '../errors';
import { CoreSchema, coreTables } from './core-schema';
import { createDatabase, openDatabase } from './open-database';
import { createMissingTables } from './schema-tables';
import { createSchema, pendingUpgrades, requireCurrentSchema, upgradeSchema } from './setup';
import { testOpenContext } from './testing/db-test-context';
import type { Database, Queryable } from './types';

async function emptyDatabase(t: Test): Promise<Database> {
  const context = await testOpenContext(t.testdir());
  await createDatabase('sqlite:db/trac.db', context);
  const db = await openDatabase('sqlite:db/trac.db', context);
  t.teardown(() => db.close());
  return db;
}

async function rejection(promise: Promise<unknown>): Promise<GatehouseError> {
  try {
    await promise;
  } catch (error) {
    return error as GatehouseError;
  }
  throw new Error('expected the call to fail');
}

/** Columns as SQLite reports them: name, declared type, position in the primary key. */
async function columnsOf(db: Database, table: string): Promise<string[]> {
  const rows = await db.all<{ name: string; type: string; pk: number }>(`PRAGMA table_info("${table}")`);
  return rows.map((row) => `${row.name} ${row.type}${row.pk ? ` key${row.pk}` : ''}`);
}

async function systemValue(db: Database, name: string): Promise<string | undefined> {
  return (await db.get<{ value: string }>('SELECT value FROM "system" WHERE name = ?', [name]))?.value;
}

/** A plugin owning one table, at version 2: version 2 added the `note` column. */
class NotesSchema implements EnvironmentSetupParticipant {
  readonly versionKey = 'notes_version';
  upgradedFrom: number[] = [];
  constructor(readonly version = 2, private readonly failUpgrade = false) {}

  async create(db: Database, tx: Queryable): Promise<void> {
    await createMissingTables(db, tx, [{ name: 'notes', key: ['id'],
      columns: [{ name: 'id', type: 'text' }, { name: 'note', type: 'text' }] }]);
  }

  async upgrade(_db: Database, tx: Queryable, from: number): Promise<void> {
    this.upgradedFrom.push(from);
    if (from < 2) await tx.run('ALTER TABLE notes ADD COLUMN note TEXT');
    if (this.failUpgrade) throw new Error('notes upgrade failed half way');
  }
}

void t.test('createSchema makes the core tables with Trac\'s columns and records the version', async (t) => {
  const db = await emptyDatabase(t);
  t.same(await createSchema(db, [new CoreSchema()]), ['gatehouse_core_version']);

  t.same(await columnsOf(db, 'system'), ['name TEXT key1', 'value TEXT']);
  t.same(await columnsOf(db, 'permission'), ['username TEXT key1', 'action TEXT key2']);
  t.same(await columnsOf(db, 'auth_cookie'),
    ['cookie TEXT key1', 'name TEXT key3', 'ipnr TEXT key2', 'time INTEGER']);
  t.same(await columnsOf(db, 'session'), ['sid TEXT key1', 'authenticated INTEGER key2', 'last_visit INTEGER']);
  t.same(await columnsOf(db, 'session_attribute'),
    ['sid TEXT key1', 'authenticated INTEGER key2', 'name TEXT key3', 'value TEXT']);
  t.same(await columnsOf(db, 'attachment'), ['type TEXT key1', 'id TEXT key2', 'filename TEXT key3',
    'size INTEGER', 'time INTEGER', 'description TEXT', 'author TEXT']);
  const indices = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'session' AND sql IS NOT NULL ORDER BY name");
  t.same(indices.map((row) => row.name), ['session_authenticated_idx', 'session_last_visit_idx']);

  t.equal(await systemValue(db, 'gatehouse_core_version'), '1');
  t.same(await pendingUpgrades(db, [new CoreSchema()]), []);
  await requireCurrentSchema(db, [new CoreSchema()], '/srv/env');
  t.same(await createSchema(db, [new CoreSchema()]), [], 'a recorded participant is not created twice');
});

void t.test('upgrade from nothing (version 0) creates everything', async (t) => {
  const db = await emptyDatabase(t);
  const participants = [new CoreSchema(), new NotesSchema()];
  t.same(await pendingUpgrades(db, participants), [
    { versionKey: 'gatehouse_core_version', from: 0, to: 1 },
    { versionKey: 'notes_version', from: 0, to: 2 },
  ]);
  const needs = await rejection(requireCurrentSchema(db, participants, '/srv/env'));
  t.equal(needs.code, 'GH_ERR_DB_NEEDS_UPGRADE');
  t.match(needs.message, /run gatehouse-admin \/srv\/env upgrade/);

  const done = await upgradeSchema(db, participants);
  t.equal(done.length, 2);
  t.same(participants[1] instanceof NotesSchema && participants[1].upgradedFrom, [],
    'a participant never installed is created, not upgraded');
  t.same(await columnsOf(db, 'notes'), ['id TEXT key1', 'note TEXT']);
  t.equal(await systemValue(db, 'notes_version'), '2');
  t.same(await upgradeSchema(db, participants), [], 'a second run has nothing to do');
});

void t.test('a plugin upgrades from its stored version; a failure anywhere changes nothing', async (t) => {
  const db = await emptyDatabase(t);
  const old = new NotesSchema(1);
  await db.transaction(async (tx) => {
    await createMissingTables(db, tx, coreTables);
    await tx.run('CREATE TABLE notes (id TEXT PRIMARY KEY)');
    await tx.run('INSERT INTO "system" (name, value) VALUES (?, ?)', ['notes_version', '1']);
  });

  const failing = new NotesSchema(2, true);
  const failure = await rejection(upgradeSchema(db, [new CoreSchema(), failing]));
  t.match(failure.message, /notes upgrade failed half way/);
  t.same(failing.upgradedFrom, [1]);
  t.equal(await systemValue(db, 'gatehouse_core_version'), undefined, 'no version recorded');
  t.equal(await systemValue(db, 'notes_version'), '1');
  t.same(await columnsOf(db, 'notes'), ['id TEXT key1'], 'the ALTER TABLE was rolled back too');

  const working = new NotesSchema(2);
  t.same(await upgradeSchema(db, [new CoreSchema(), working]), [
    { versionKey: 'gatehouse_core_version', from: 0, to: 1 },
    { versionKey: 'notes_version', from: 1, to: 2 },
  ]);
  t.same(working.upgradedFrom, [1]);
  t.same(await columnsOf(db, 'notes'), ['id TEXT key1', 'note TEXT']);
  t.same(await pendingUpgrades(db, [new CoreSchema(), old]).catch((error: Error) => error.message),
    'the database holds notes_version = 2, newer than version 1 that this Gatehouse knows; ' +
    'run the newer Gatehouse that upgraded it, or restore a backup');
});

void t.test('a stored version newer than the code is refused, and nothing changes', async (t) => {
  const db = await emptyDatabase(t);
  await createSchema(db, [new CoreSchema()]);
  await db.run('UPDATE "system" SET value = ? WHERE name = ?', ['7', 'gatehouse_core_version']);

  const pending = await rejection(pendingUpgrades(db, [new CoreSchema()]));
  t.equal(pending.code, 'GH_ERR_DB_SCHEMA_NEWER');
  const upgrade = await rejection(upgradeSchema(db, [new CoreSchema(), new NotesSchema()]));
  t.equal(upgrade.code, 'GH_ERR_DB_SCHEMA_NEWER');
  t.match(upgrade.message, /gatehouse_core_version = 7, newer than version 1/);
  t.equal(await systemValue(db, 'notes_version'), undefined, 'the other participant was not installed');
  t.equal(await systemValue(db, 'gatehouse_core_version'), '7');
});

/**
 * Tables as a Trac 1.x SQLite environment has them (Trac writes composite keys as UNIQUE
 * constraints), with Trac's own version key, grants, a sign-in, a Trac-only table, an older
 * attachment table that still has its `ipnr` column, and no session_attribute table.
 */
async function tracLikeDatabase(db: Database): Promise<void> {
  const statements = [
    'CREATE TABLE system (name text PRIMARY KEY, value text)',
    'CREATE TABLE permission (username text, action text, UNIQUE (username,action))',
    'CREATE TABLE auth_cookie (cookie text, name text, ipnr text, time integer, UNIQUE (cookie,ipnr,name))',
    'CREATE TABLE session (sid text, authenticated integer, last_visit integer, UNIQUE (sid,authenticated))',
    'CREATE INDEX session_last_visit_idx ON session (last_visit)',
    'CREATE TABLE attachment (type text, id text, filename text, size integer, time integer, ' +
      'description text, author text, ipnr text, UNIQUE (type,id,filename))',
    'CREATE TABLE wiki (name text, version integer, time integer, author text, text text, ' +
      'UNIQUE (name,version))',
    "INSERT INTO system VALUES ('database_version', '45')",
    "INSERT INTO system VALUES ('initial_database_version', '45')",
    "INSERT INTO permission VALUES ('alice', 'TRAC_ADMIN'), ('developers', 'TICKET_MODIFY'), ('bob', 'developers')",
    "INSERT INTO auth_cookie VALUES ('0123abcd', 'alice', '10.0.0.1', 1700000000)",
    "INSERT INTO attachment VALUES ('wiki', 'WikiStart', 'logo.png', 1234, 1700000000000000, '', 'alice', '10.0.0.1')",
    "INSERT INTO wiki VALUES ('WikiStart', 1, 1700000000000000, 'alice', 'Welcome')",
  ];
  for (const statement of statements) await db.run(statement);
}

void t.test('a database Trac created is adopted: missing tables added, data untouched', async (t) => {
  const db = await emptyDatabase(t);
  await tracLikeDatabase(db);

  t.same(await pendingUpgrades(db, [new CoreSchema()]), [{ versionKey: 'gatehouse_core_version', from: 0, to: 1 }]);
  t.same(await upgradeSchema(db, [new CoreSchema()]), [{ versionKey: 'gatehouse_core_version', from: 0, to: 1 }]);

  t.same(await columnsOf(db, 'session_attribute'),
    ['sid TEXT key1', 'authenticated INTEGER key2', 'name TEXT key3', 'value TEXT'], 'the missing table was added');
  t.same(await db.all('SELECT username, action FROM permission ORDER BY username'), [
    { username: 'alice', action: 'TRAC_ADMIN' }, { username: 'bob', action: 'developers' },
    { username: 'developers', action: 'TICKET_MODIFY' }]);
  t.same(await db.get('SELECT * FROM auth_cookie'),
    { cookie: '0123abcd', name: 'alice', ipnr: '10.0.0.1', time: 1700000000 });
  t.same(await db.get('SELECT type, id, filename, size, time FROM attachment'),
    { type: 'wiki', id: 'WikiStart', filename: 'logo.png', size: 1234, time: 1700000000000000 });
  t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM wiki'))?.n, 1, 'Trac\'s own tables stay');
  t.equal(await systemValue(db, 'database_version'), '45', 'Trac\'s version key is left alone');
  t.equal(await systemValue(db, 'gatehouse_core_version'), '1');

  const duplicate = await rejection(db.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'TRAC_ADMIN']));
  t.equal(duplicate.code, 'GH_ERR_DB_DUPLICATE_KEY', 'Trac\'s UNIQUE keys count as keys');
  await db.run('INSERT INTO session_attribute (sid, authenticated, name, value) VALUES (?, ?, ?, ?)',
    ['alice', 1, 'email', 'alice@example.org']);
  t.same(await pendingUpgrades(db, [new CoreSchema()]), []);
});
