import t, { type Test } from 'tap';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { GatehouseError } from '../errors';
import { createSchema } from './setup';
import { CoreSchema } from './core-schema';
import { createDatabase, openDatabase } from './open-database';
import { testOpenContext } from './testing/db-test-context';
import type { Database } from './types';

async function freshDatabase(t: Test): Promise<Database> {
  const envPath = t.testdir();
  const context = await testOpenContext(envPath);
  await createDatabase('sqlite:db/trac.db', context);
  const db = await openDatabase('sqlite:db/trac.db', context);
  await createSchema(db, [new CoreSchema()]);
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

void t.test('parameters are bound: hostile strings are stored and found verbatim', async (t) => {
  const db = await freshDatabase(t);
  const hostile = [
    "x'); DROP TABLE permission; --",
    "' OR '1'='1",
    'Robert"); DELETE FROM "system"; --',
    '?', '$1', ':name', '%s', '\\', '\u0000nul', 'naïve ☃ 𝄞',
  ];
  for (const value of hostile) {
    await db.run('INSERT INTO permission (username, action) VALUES (?, ?)', [value, 'WIKI_VIEW']);
  }

  const rows = await db.all<{ username: string }>(
    'SELECT username FROM permission WHERE action = ? ORDER BY rowid', ['WIKI_VIEW']);
  t.same(rows.map((row) => row.username), hostile);
  const match = await db.get<{ n: number }>('SELECT count(*) AS n FROM permission WHERE username = ?',
    ["' OR '1'='1"]);
  t.equal(match?.n, 1, 'an injection attempt matches only itself');
  t.ok(await db.get('SELECT 1 FROM "system"'), 'system table still there');
});

void t.test('values: integers, booleans, 64-bit times, blobs, null', async (t) => {
  const db = await freshDatabase(t);
  await db.run('INSERT INTO "system" (name, value) VALUES (?, ?)', ['answer', 42]);
  t.equal((await db.get<{ value: string }>('SELECT value FROM "system" WHERE name = ?', ['answer']))?.value,
    '42', 'a whole number stored in a text column reads back as "42", not "42.0"');

  const microseconds = 1_700_000_000_123_456;
  await db.run('INSERT INTO attachment (type, id, filename, size, time, description, author) ' +
    'VALUES (?, ?, ?, ?, ?, ?, ?)', ['wiki', 'Start', 'a.txt', 12, microseconds, null, 'alice']);
  const attachment = await db.get<Record<string, unknown>>('SELECT * FROM attachment');
  t.same(attachment, { type: 'wiki', id: 'Start', filename: 'a.txt', size: 12, time: microseconds,
    description: null, author: 'alice' });

  const huge = 2n ** 62n + 1n;
  await db.run('INSERT INTO attachment (type, id, filename, size, time) VALUES (?, ?, ?, ?, ?)',
    ['wiki', 'Big', 'b.bin', 1, huge]);
  t.equal((await db.get<{ time: unknown }>('SELECT time FROM attachment WHERE id = ?', ['Big']))?.time,
    huge, 'a value beyond 2^53 comes back exact, as a bigint');

  await db.run('INSERT INTO session (sid, authenticated, last_visit) VALUES (?, ?, ?)', ['bob', true, 0]);
  await db.run('INSERT INTO session (sid, authenticated, last_visit) VALUES (?, ?, ?)', ['anon', false, 0]);
  t.same(await db.all('SELECT sid, authenticated FROM session ORDER BY sid'),
    [{ sid: 'anon', authenticated: 0 }, { sid: 'bob', authenticated: 1 }], 'booleans are stored as 0/1');
  t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM session WHERE authenticated = ?', [true]))?.n, 1);

  const bytes = Buffer.from([0, 1, 2, 255]);
  const echoed = await db.get<{ b: Buffer; r: number }>('SELECT ? AS b, ? AS r', [bytes, 0.25]);
  t.same(echoed, { b: bytes, r: 0.25 });
});

void t.test('run reports changed rows; get returns undefined when nothing matches', async (t) => {
  const db = await freshDatabase(t);
  await db.run('INSERT INTO permission VALUES (?, ?)', ['a', 'X']);
  await db.run('INSERT INTO permission VALUES (?, ?)', ['b', 'X']);
  t.same(await db.run('UPDATE permission SET action = ? WHERE action = ?', ['Y', 'X']), { changes: 2 });
  t.equal(await db.get('SELECT * FROM permission WHERE username = ?', ['nobody']), undefined);
  t.same(await db.all('SELECT * FROM permission WHERE username = ?', ['nobody']), []);
});

void t.test('errors carry backend-neutral codes', async (t) => {
  const db = await freshDatabase(t);
  await db.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'TRAC_ADMIN']);
  const duplicate = await rejection(db.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'TRAC_ADMIN']));
  t.equal(duplicate.code, 'GH_ERR_DB_DUPLICATE_KEY');
  t.equal(duplicate.status, 409);

  const unknownTable = await rejection(db.all('SELECT * FROM no_such_table'));
  t.equal(unknownTable.code, 'GH_ERR_DB_QUERY');
  t.match(unknownTable.message, /no such table: no_such_table/);

  const missingParameter = await rejection(db.run('INSERT INTO permission VALUES (?, ?)', ['only-one']));
  t.equal(missingParameter.code, 'GH_ERR_DB_QUERY');
});

void t.test('transactions commit on success and roll back on a throw', async (t) => {
  const db = await freshDatabase(t);
  const result = await db.transaction(async (tx) => {
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'A']);
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'B']);
    return 'done';
  });
  t.equal(result, 'done');
  t.equal((await db.all('SELECT * FROM permission')).length, 2);

  const failure = new Error('stop here');
  await t.rejects(db.transaction(async (tx) => {
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['bob', 'A']);
    throw failure;
  }), failure, 'the error comes through unchanged');
  t.same(await db.all('SELECT username FROM permission WHERE username = ?', ['bob']), [], 'rolled back');

  const duplicate = await rejection(db.transaction(async (tx) => {
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['carol', 'A']);
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'A']);
  }));
  t.equal(duplicate.code, 'GH_ERR_DB_DUPLICATE_KEY');
  t.same(await db.all('SELECT username FROM permission WHERE username = ?', ['carol']), [],
    'a failed statement rolls back the whole transaction');

  await t.rejects(db.transaction(async (tx) => {
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['late', 'A']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error('after an await');
  }), /after an await/);
  t.equal(await db.get('SELECT * FROM permission WHERE username = ?', ['late']), undefined);
});

void t.test('interleaved transactions stay isolated and run one after the other', async (t) => {
  const db = await freshDatabase(t);
  const events: string[] = [];
  const pause = () => new Promise((resolve) => setTimeout(resolve, 2));

  const first = db.transaction(async (tx) => {
    events.push('first begins');
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['first', 'A']);
    await pause();
    events.push('first still sees only its own rows');
    const seen = await tx.all<{ username: string }>('SELECT username FROM permission');
    await pause();
    throw Object.assign(new Error('first fails'), { seen: seen.map((row) => row.username) });
  });
  const second = db.transaction(async (tx) => {
    events.push('second begins');
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['second', 'A']);
    await pause();
    return (await tx.all<{ username: string }>('SELECT username FROM permission')).map((row) => row.username);
  });
  const outsider = db.all<{ username: string }>('SELECT username FROM permission');

  const [firstResult, secondResult, outsiderResult] = await Promise.allSettled([first, second, outsider]);
  t.equal(firstResult.status, 'rejected');
  t.same((firstResult as PromiseRejectedResult).reason.seen, ['first']);
  t.same(secondResult, { status: 'fulfilled', value: ['second'] },
    'the second never saw the first one\'s rolled-back row');
  t.same(outsiderResult, { status: 'fulfilled', value: [{ username: 'second' }] },
    'a plain query queued behind both transactions, in arrival order');
  t.same(events, ['first begins', 'first still sees only its own rows', 'second begins']);
});

void t.test('a statement issued during a transaction waits for it (FIFO), unless made inside it', async (t) => {
  const db = await freshDatabase(t);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const order: string[] = [];

  const transaction = db.transaction(async (tx) => {
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['in-tx', 'A']);
    // A helper that forgets the handle and uses the database joins the transaction instead of
    // queueing behind it forever.
    const joined = await db.get<{ n: number }>('SELECT count(*) AS n FROM permission');
    order.push(`inside sees ${joined?.n}`);
    await gate;
  });
  const outside = db.get<{ n: number }>('SELECT count(*) AS n FROM permission')
    .then((row) => order.push(`outside sees ${row?.n}`));
  await new Promise((resolve) => setTimeout(resolve, 10));
  order.push('gate opens');
  release();
  await Promise.all([transaction, outside]);
  t.same(order, ['inside sees 1', 'gate opens', 'outside sees 1']);
});

void t.test('nested transactions are savepoints', async (t) => {
  const db = await freshDatabase(t);
  await db.transaction(async (tx) => {
    await tx.run('INSERT INTO permission VALUES (?, ?)', ['outer', 'A']);
    await t.rejects(tx.transaction(async (inner) => {
      await inner.run('INSERT INTO permission VALUES (?, ?)', ['inner-undone', 'A']);
      throw new Error('inner fails');
    }), /inner fails/);
    await tx.transaction(async (inner) => {
      await inner.run('INSERT INTO permission VALUES (?, ?)', ['inner-kept', 'A']);
      await inner.transaction(async (deepest) => {
        await deepest.run('INSERT INTO permission VALUES (?, ?)', ['deepest', 'A']);
      });
    });
    await db.transaction(async (viaDatabase) => {
      await viaDatabase.run('INSERT INTO permission VALUES (?, ?)', ['nested-through-db', 'A']);
    });
  });
  const names = (await db.all<{ username: string }>('SELECT username FROM permission ORDER BY username'))
    .map((row) => row.username);
  t.same(names, ['deepest', 'inner-kept', 'nested-through-db', 'outer']);

  await t.rejects(db.transaction(async (tx) => {
    await tx.transaction(async (inner) => {
      await inner.run('INSERT INTO permission VALUES (?, ?)', ['released-then-outer-fails', 'A']);
    });
    throw new Error('outer fails');
  }));
  t.equal(await db.get('SELECT * FROM permission WHERE username = ?', ['released-then-outer-fails']),
    undefined, 'a released savepoint still rolls back with its transaction');
});

void t.test('a transaction handle used after the end is refused', async (t) => {
  const db = await freshDatabase(t);
  let kept: Parameters<Parameters<Database['transaction']>[0]>[0] | undefined;
  await db.transaction(async (tx) => { kept = tx; });
  const error = await rejection(kept!.run('INSERT INTO permission VALUES (?, ?)', ['x', 'y']));
  t.equal(error.code, 'GH_ERR_DB_QUERY');
  t.match(error.message, /transaction has already ended/);
});

void t.test('ping, poolStatus, createTable, close', async (t) => {
  const envPath = t.testdir();
  const context = await testOpenContext(envPath);
  await createDatabase('sqlite:db/trac.db', context);
  const db = await openDatabase('sqlite:db/trac.db', context);
  await db.ping();
  t.same(db.poolStatus(), []);
  t.equal(db.kind, 'sqlite');
  await db.createTable({ name: 'plugin_notes', columns: [{ name: 'id', type: 'int', autoIncrement: true },
    { name: 'body', type: 'text' }], key: ['id'], indices: [{ columns: ['body'], unique: true }] });
  await db.run('INSERT INTO plugin_notes (body) VALUES (?)', ['one']);
  await db.run('INSERT INTO plugin_notes (body) VALUES (?)', ['two']);
  t.same(await db.all('SELECT id, body FROM plugin_notes ORDER BY id'),
    [{ id: 1, body: 'one' }, { id: 2, body: 'two' }]);
  t.equal((await rejection(db.run('INSERT INTO plugin_notes (body) VALUES (?)', ['one']))).code,
    'GH_ERR_DB_DUPLICATE_KEY', 'the unique index exists');

  const pending = db.transaction(async (tx) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await tx.run('INSERT INTO plugin_notes (body) VALUES (?)', ['three']);
  });
  await db.close();
  await pending;
  t.pass('close waited for the running transaction');
  const closed = await rejection(db.get('SELECT 1'));
  t.equal(closed.code, 'GH_ERR_DB_UNAVAILABLE');
  t.match(closed.message, /has been closed/);

  const reopened = await openDatabase('sqlite:db/trac.db', context);
  t.teardown(() => reopened.close());
  t.equal((await reopened.get<{ n: number }>('SELECT count(*) AS n FROM plugin_notes'))?.n, 3);
});

void t.test('a full disk surfaces as GH_ERR_DB_UNAVAILABLE, and the database stays usable', async (t) => {
  const db = await freshDatabase(t);
  // max_page_count caps the file, which SQLite reports exactly as a full disk (SQLITE_FULL).
  const pages = await db.get<{ page_count: number }>('PRAGMA page_count');
  await db.run(`PRAGMA max_page_count = ${pages!.page_count}`);
  const error = await rejection(db.transaction(async (tx) => {
    for (let index = 0; index < 1000; index += 1) {
      await tx.run('INSERT INTO "system" (name, value) VALUES (?, ?)', [`k${index}`, 'x'.repeat(2000)]);
    }
  }));
  t.equal(error.code, 'GH_ERR_DB_UNAVAILABLE');
  t.match(error.message, /the disk is full/);
  t.match(error.message, /trac\.db/, 'names the file');
  t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM "system" WHERE name LIKE ?', ['k%']))?.n, 0,
    'nothing of the failed transaction remains');
  await db.run('INSERT INTO permission VALUES (?, ?)', ['still', 'works']);
  t.ok(await db.get('SELECT 1 FROM permission WHERE username = ?', ['still']));
});

void t.test('opening: missing file, folder, corrupt file, unreadable file', async (t) => {
  const envPath = t.testdir();
  const context = await testOpenContext(envPath);

  const missing = await rejection(openDatabase('sqlite:db/trac.db', context));
  t.equal(missing.code, 'GH_ERR_DB_NOT_FOUND');
  t.ok(missing.message.includes(path.join(envPath, 'db', 'trac.db')), 'names the full path');
  await t.rejects(fs.access(path.join(envPath, 'db', 'trac.db')), 'no empty database was made');

  await fs.mkdir(path.join(envPath, 'db', 'folder.db'), { recursive: true });
  const folder = await rejection(openDatabase('sqlite:db/folder.db', context));
  t.equal(folder.code, 'GH_ERR_DB_UNAVAILABLE');
  t.match(folder.message, /is not a file/);

  const corruptPath = path.join(envPath, 'db', 'corrupt.db');
  await fs.writeFile(corruptPath, Buffer.alloc(8192, 'this is not an SQLite database. '));
  const corrupt = await rejection(openDatabase('sqlite:db/corrupt.db', context));
  t.equal(corrupt.code, 'GH_ERR_DB_UNAVAILABLE');
  t.match(corrupt.message, /file is not a database/);
  t.match(corrupt.message, /restore it from a backup/);
  t.ok(corrupt.message.includes(corruptPath));

  const throughFile = await rejection(openDatabase('sqlite:conf/trac.ini/trac.db', context));
  t.equal(throughFile.code, 'GH_ERR_DB_UNAVAILABLE', 'a path through a file cannot be read');
  t.match(throughFile.message, /cannot read .*trac\.ini.*not a directory/);
});

/** Opens the database in a child process, as an unprivileged user when this runs as root. */
function openInChild(envPath: string, uri: string): { code?: string; message?: string; opened?: boolean } {
  const asRoot = process.getuid?.() === 0;
  const result = spawnSync(process.execPath, [path.join(__dirname, 'testing', 'open-as-user.js'), envPath, uri],
    { encoding: 'utf8', ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
  return JSON.parse(result.stdout || '{}') as { code?: string; message?: string; opened?: boolean };
}

void t.test('opening a file the server may not read', async (t) => {
  const envPath = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-db-perm-'));
  t.teardown(() => fs.rm(envPath, { recursive: true, force: true }));
  await fs.chmod(envPath, 0o755);
  const context = await testOpenContext(envPath);
  await createDatabase('sqlite:db/trac.db', context);
  const made = await openDatabase('sqlite:db/trac.db', context);
  await made.close();
  await fs.chmod(path.join(envPath, 'db'), 0o777);
  await fs.chmod(path.join(envPath, 'conf', 'trac.ini'), 0o644);

  t.same(openInChild(envPath, 'sqlite:db/trac.db'), { opened: true }, 'the other user can open it while readable');
  await fs.chmod(path.join(envPath, 'db', 'trac.db'), 0o000);
  const unreadable = openInChild(envPath, 'sqlite:db/trac.db');
  t.equal(unreadable.code, 'GH_ERR_DB_UNAVAILABLE');
  t.match(unreadable.message, /unable to open database file/);
});

void t.test('create makes the db/ folder and file; absolute paths work', async (t) => {
  const envPath = t.testdir();
  const context = await testOpenContext(envPath);
  const absolute = path.join(t.testdir(), 'elsewhere', 'nested', 'shared.db');
  await createDatabase(`sqlite:${absolute}`, context);
  t.ok((await fs.stat(absolute)).isFile(), 'folders and file made');
  const db = await openDatabase(`sqlite:${absolute}`, context);
  const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode');
  t.equal(mode?.journal_mode, 'wal', 'the file is in WAL mode');
  await db.run('CREATE TABLE kept (x TEXT)');
  await db.close();

  await createDatabase(`sqlite:${absolute}`, context);
  const again = await openDatabase(`sqlite:${absolute}`, context);
  t.teardown(() => again.close());
  t.same(await again.all('SELECT * FROM kept'), [], 'creating again leaves an existing database alone');

  await createDatabase('sqlite:db/trac.db', context);
  t.ok((await fs.stat(path.join(envPath, 'db', 'trac.db'))).isFile(), 'relative to the environment');
});

void t.test('postgres and mysql need an enabled backend', async (t) => {
  const context = await testOpenContext(t.testdir());
  const error = await rejection(openDatabase('postgres://u:secret@localhost/trac', context));
  t.equal(error.code, 'GH_ERR_DB_BACKEND_MISSING');
  t.match(error.message, /"postgres:"/);
  t.equal((await rejection(openDatabase('mysql://localhost/trac', context))).code, 'GH_ERR_DB_BACKEND_MISSING');

  const opened: string[] = [];
  const fake = {
    schemes: ['postgres'],
    open: async (uri: { path: string }) => {
      opened.push(uri.path);
      return openDatabase('sqlite::memory:', context);
    },
  };
  const db = await openDatabase('postgres://localhost/trac', context, [fake]);
  await db.close();
  t.same(opened, ['trac'], 'an enabled backend offering the scheme is used');
});
