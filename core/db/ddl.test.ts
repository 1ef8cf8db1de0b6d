/**
 * DDL from TableSpec: the text for each dialect, and the statements run on real PostgreSQL
 * (127.0.0.1:5432) and MariaDB (127.0.0.1:3306) in throw-away databases.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { coreTables, sessionTable } from './core-schema';
import { createTableStatements, numberedPlaceholders, quoteIdentifier } from './ddl';
import type { TableSpec } from './types';

const counterTable: TableSpec = {
  name: 'counter',
  columns: [{ name: 'id', type: 'int', autoIncrement: true }, { name: 'label', type: 'text' },
    { name: 'at', type: 'int64' }, { name: 'ratio', type: 'real' }, { name: 'data', type: 'blob' }],
  key: ['id'],
  indices: [{ columns: ['label'], unique: true }],
};

const requireServices = process.env.GATEHOUSE_REQUIRE_SERVICES === '1';

void t.test('statements for each dialect', async (t) => {
  t.same(createTableStatements(sessionTable, 'sqlite'), [
    'CREATE TABLE "session" ("sid" TEXT, "authenticated" INTEGER, "last_visit" INTEGER, ' +
      'PRIMARY KEY ("sid", "authenticated"))',
    'CREATE INDEX "session_last_visit_idx" ON "session" ("last_visit")',
    'CREATE INDEX "session_authenticated_idx" ON "session" ("authenticated")',
  ]);
  t.same(createTableStatements(counterTable, 'postgres')[0],
    'CREATE TABLE "counter" ("id" serial PRIMARY KEY, "label" text, "at" bigint, ' +
    '"ratio" double precision, "data" bytea)');
  t.same(createTableStatements(counterTable, 'mysql'), [
    'CREATE TABLE "counter" ("id" int NOT NULL AUTO_INCREMENT PRIMARY KEY, "label" varchar(255), ' +
      '"at" bigint, "ratio" double, "data" longblob) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    'CREATE UNIQUE INDEX "counter_label_idx" ON "counter" ("label")',
  ]);
  const wide: TableSpec = { name: 'wide', key: ['a', 'b', 'c', 'd'], columns: ['a', 'b', 'c', 'd', 'e']
    .map((name) => ({ name, type: 'text' as const })) };
  t.match(createTableStatements(wide, 'mysql')[0], /"a" varchar\(192\).*"d" varchar\(192\), "e" text/,
    'four text key columns share InnoDB\'s 3072-byte key limit');
  t.throws(() => createTableStatements({ name: 'bad', columns: [{ name: 'a', type: 'text' }], key: ['b'] },
    'sqlite'), /unknown column "b"/);
  t.equal(quoteIdentifier('odd"name'), '"odd""name"');
});

void t.test('numbered placeholders skip literals, quoted names and comments', async (t) => {
  t.equal(numberedPlaceholders('SELECT * FROM t WHERE a = ? AND b = ?'), 'SELECT * FROM t WHERE a = $1 AND b = $2');
  t.equal(numberedPlaceholders("SELECT '?', \"a?\", 'it''s ?' FROM t WHERE x = ? -- why?\nAND y = ? /* ? */"),
    "SELECT '?', \"a?\", 'it''s ?' FROM t WHERE x = $1 -- why?\nAND y = $2 /* ? */");
});

async function skipUnlessReachable(t: Test, server: string, connect: () => Promise<unknown>): Promise<boolean> {
  try {
    await connect();
    return true;
  } catch (error) {
    if (requireServices) throw error;
    t.pass(server, { skip: `${server} is not reachable: ${(error as Error).message}` });
    return false;
  }
}

void t.test('the PostgreSQL statements run on PostgreSQL', async (t) => {
  const name = `gh_test_ddl_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  if (!(await skipUnlessReachable(t, 'PostgreSQL at 127.0.0.1:5432', () => admin.connect()))) return;
  await admin.query(`CREATE DATABASE ${name}`);
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: name });
  t.teardown(async () => {
    await client.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  });
  await client.connect();

  for (const table of [...coreTables, counterTable]) {
    for (const statement of createTableStatements(table, 'postgres')) await client.query(statement);
  }
  await client.query(numberedPlaceholders('INSERT INTO "counter" (label, at, ratio, data) VALUES (?, ?, ?, ?)'),
    ['one', '1700000000000000', 0.5, Buffer.from([1, 2])]);
  const row = await client.query('SELECT id, label, at, ratio, data FROM "counter"');
  t.same(row.rows, [{ id: 1, label: 'one', at: '1700000000000000', ratio: 0.5, data: Buffer.from([1, 2]) }]);
  await client.query(numberedPlaceholders('INSERT INTO "system" (name, value) VALUES (?, ?)'), ['k', 'v']);
  await t.rejects(client.query(numberedPlaceholders('INSERT INTO "system" (name, value) VALUES (?, ?)'),
    ['k', 'w']), { code: '23505' }, 'the primary key holds');
});

void t.test('the MySQL statements run on MariaDB', async (t) => {
  const name = `gh_test_ddl_${randomBytes(4).toString('hex')}`;
  let admin: mysql.Connection | undefined;
  const reachable = await skipUnlessReachable(t, 'MariaDB at 127.0.0.1:3306', async () => {
    admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  });
  if (!reachable || !admin) return;
  const server = admin;
  await server.query(`CREATE DATABASE ${name}`);
  t.teardown(async () => {
    await server.query(`DROP DATABASE IF EXISTS ${name}`);
    await server.end();
  });
  await server.query(`USE ${name}`);
  await server.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");

  for (const table of [...coreTables, counterTable]) {
    for (const statement of createTableStatements(table, 'mysql')) await server.query(statement);
  }
  await server.execute('INSERT INTO "counter" (label, at, ratio, data) VALUES (?, ?, ?, ?)',
    ['one', 1700000000000000, 0.5, Buffer.from([1, 2])]);
  const [rows] = await server.query('SELECT id, label, at, ratio, data FROM "counter"');
  t.same(rows, [{ id: 1, label: 'one', at: 1700000000000000, ratio: 0.5, data: Buffer.from([1, 2]) }]);
  await server.execute('INSERT INTO "permission" (username, action) VALUES (?, ?)', ['Alice', 'X']);
  await server.execute('INSERT INTO "permission" (username, action) VALUES (?, ?)', ['alice', 'X']);
  const [found] = await server.execute('SELECT username FROM "permission" WHERE username = ?', ['alice']);
  t.same(found, [{ username: 'alice' }], 'user names compare case-sensitively, as on SQLite');
  await t.rejects(server.execute('INSERT INTO "permission" (username, action) VALUES (?, ?)', ['alice', 'X']),
    { code: 'ER_DUP_ENTRY' }, 'the primary key holds');
});
