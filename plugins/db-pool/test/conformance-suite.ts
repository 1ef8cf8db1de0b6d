/**
 * The behaviour every backend of the core's Database API must share, written once and run on
 * SQLite, PostgreSQL and MariaDB (test/conformance.test.ts). What differs on purpose (SQLite
 * runs one statement at a time; the servers run transactions side by side) is left out.
 */
import type { Test } from 'tap';
import { coreTables } from '../../../core/db/core-schema';
import { tableExists } from '../../../core/db/schema-tables';
import { runInRequestScope } from '../../../core/db/request-scope';
import type { Database, Transaction } from '../../../core/db/types';
import { rejection } from './support';

/** Opens a new, empty database holding the core tables, closed when the test ends. */
export type FreshDatabase = (t: Test) => Promise<Database>;

const notesTable = {
  name: 'plugin_notes',
  columns: [
    { name: 'id', type: 'int' as const, autoIncrement: true },
    { name: 'body', type: 'text' as const },
    { name: 'weight', type: 'real' as const },
    { name: 'data', type: 'blob' as const },
    { name: 'stamp', type: 'int64' as const },
  ],
  key: ['id'],
  indices: [{ columns: ['body'], unique: true }, { columns: ['stamp'] }],
};

function names(rows: Array<{ username: string }>): string[] {
  return rows.map((row) => row.username).sort();
}

export function conformanceSuite(t: Test, fresh: FreshDatabase): void {
  void t.test('every core table exists after setup', async (t) => {
    const db = await fresh(t);
    for (const table of coreTables) {
      t.ok(await tableExists(db, db, table.name), `${table.name} exists`);
    }
    t.same(await db.all('SELECT name, value FROM "system" WHERE name = ?', ['no-such-key']), [],
      'the quoted "system" table answers');
  });

  void t.test('parameters are bound: hostile strings are stored and found verbatim', async (t) => {
    const db = await fresh(t);
    // No NUL character: PostgreSQL text cannot hold one (docs/db-pool.md, limits).
    const hostile = [
      "x'); DROP TABLE permission; --", "' OR '1'='1", 'Robert"); DELETE FROM "system"; --',
      '?', '$1', ':name', '%s', '\\', '\\\'', "E'\\''", '$$', '/* ? */', '-- ?', 'naïve ☃ 𝄞',
    ];
    for (const value of hostile) {
      await db.run('INSERT INTO permission (username, action) VALUES (?, ?)', [value, 'WIKI_VIEW']);
    }
    const rows = await db.all<{ username: string }>('SELECT username FROM permission WHERE action = ?',
      ['WIKI_VIEW']);
    t.same(names(rows), [...hostile].sort());
    const match = await db.get<{ n: number }>('SELECT count(*) AS n FROM permission WHERE username = ?',
      ["' OR '1'='1"]);
    t.equal(match?.n, 1, 'an injection attempt matches only itself');
    const literal = await db.get<{ q: string; n: number }>(
      "SELECT '?' AS q, count(*) AS n FROM permission WHERE username = ? AND action <> '?'", ['?']);
    t.same(literal, { q: '?', n: 1 }, 'a ? inside a string literal is not a placeholder');
  });

  void t.test('values: whole numbers, 64-bit times, booleans, reals, blobs, null', async (t) => {
    const db = await fresh(t);
    await db.run('INSERT INTO "system" (name, value) VALUES (?, ?)', ['answer', 42]);
    t.equal((await db.get<{ value: string }>('SELECT value FROM "system" WHERE name = ?', ['answer']))?.value,
      '42', 'a whole number stored in a text column reads back as "42"');

    const microseconds = 1_700_000_000_123_456;
    await db.run('INSERT INTO attachment (type, id, filename, size, time, description, author) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?)', ['wiki', 'Start', 'a.txt', 12, microseconds, null, 'alice']);
    t.same(await db.get('SELECT * FROM attachment'), { type: 'wiki', id: 'Start', filename: 'a.txt', size: 12,
      time: microseconds, description: null, author: 'alice' });

    const huge = 2n ** 62n + 1n;
    await db.run('INSERT INTO attachment (type, id, filename, size, time) VALUES (?, ?, ?, ?, ?)',
      ['wiki', 'Big', 'b.bin', 1, huge]);
    t.equal((await db.get<{ time: unknown }>('SELECT time FROM attachment WHERE id = ?', ['Big']))?.time, huge,
      'a value beyond 2^53 comes back exact, as a bigint');

    await db.run('INSERT INTO session (sid, authenticated, last_visit) VALUES (?, ?, ?)', ['bob', true, 0]);
    await db.run('INSERT INTO session (sid, authenticated, last_visit) VALUES (?, ?, ?)', ['anon', false, 0]);
    t.same(await db.all('SELECT sid, authenticated FROM session ORDER BY sid'),
      [{ sid: 'anon', authenticated: 0 }, { sid: 'bob', authenticated: 1 }], 'booleans are stored as 0/1');
    t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM session WHERE authenticated = ?',
      [true]))?.n, 1, 'count(*) is a number');
    t.equal((await db.get<{ s: number }>('SELECT sum(last_visit + 2) AS s FROM session'))?.s, 4,
      'a sum is a number');

    await db.createTable(notesTable);
    const bytes = Buffer.from([0, 1, 2, 255]);
    await db.run('INSERT INTO plugin_notes (body, weight, data, stamp) VALUES (?, ?, ?, ?)',
      ['one', 0.25, bytes, null]);
    t.same(await db.get('SELECT body, weight, data, stamp FROM plugin_notes'),
      { body: 'one', weight: 0.25, data: bytes, stamp: null });
  });

  void t.test('run reports matched rows; get gives undefined when nothing matches', async (t) => {
    const db = await fresh(t);
    await db.run('INSERT INTO permission VALUES (?, ?)', ['a', 'X']);
    await db.run('INSERT INTO permission VALUES (?, ?)', ['b', 'X']);
    t.same(await db.run('UPDATE permission SET action = ? WHERE action = ?', ['Y', 'X']), { changes: 2 });
    t.same(await db.run('UPDATE permission SET action = ? WHERE action = ?', ['Y', 'Y']), { changes: 2 },
      'rows set to the value they already hold count too');
    t.same(await db.run('SELECT * FROM permission'), { changes: 0 }, 'a query changes nothing');
    t.equal(await db.get('SELECT * FROM permission WHERE username = ?', ['nobody']), undefined);
    t.same(await db.all('SELECT * FROM permission WHERE username = ?', ['nobody']), []);
    t.same(await db.run('DELETE FROM permission WHERE username = ?', ['a']), { changes: 1 });
  });

  void t.test('errors carry backend-neutral codes', async (t) => {
    const db = await fresh(t);
    await db.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'TRAC_ADMIN']);
    const duplicate = await rejection(db.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'TRAC_ADMIN']));
    t.equal(duplicate.code, 'GH_ERR_DB_DUPLICATE_KEY');
    t.equal(duplicate.status, 409);
    t.equal((await rejection(db.all('SELECT * FROM no_such_table'))).code, 'GH_ERR_DB_QUERY');
    t.equal((await rejection(db.run('INSERT INTO permission VALUES (?, ?)', ['only-one']))).code,
      'GH_ERR_DB_QUERY');
    t.ok(await db.get('SELECT 1 AS one'), 'the database still answers after errors');
  });

  void t.test('transactions commit on success and roll back on a throw', async (t) => {
    const db = await fresh(t);
    t.equal(await db.transaction(async (tx) => {
      await tx.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'A']);
      await tx.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'B']);
      return 'done';
    }), 'done');
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
    t.same(await db.all('SELECT username FROM permission WHERE username = ?', ['carol']), []);

    await t.rejects(db.transaction(async (tx) => {
      await tx.run('INSERT INTO permission VALUES (?, ?)', ['late', 'A']);
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('after an await');
    }), /after an await/);
    t.equal(await db.get('SELECT * FROM permission WHERE username = ?', ['late']), undefined);
  });

  void t.test('a failed statement caught inside a transaction leaves it usable', async (t) => {
    const db = await fresh(t);
    await db.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'A']);
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO permission VALUES (?, ?)', ['bob', 'A']);
      const duplicate = await rejection(tx.run('INSERT INTO permission VALUES (?, ?)', ['alice', 'A']));
      t.equal(duplicate.code, 'GH_ERR_DB_DUPLICATE_KEY');
      await tx.run('UPDATE permission SET action = ? WHERE username = ?', ['B', 'alice']);
    });
    t.same(await db.all('SELECT username, action FROM permission ORDER BY username'),
      [{ username: 'alice', action: 'B' }, { username: 'bob', action: 'A' }]);
  });

  void t.test('nested transactions are savepoints', async (t) => {
    const db = await fresh(t);
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
    t.same(names(await db.all('SELECT username FROM permission')),
      ['deepest', 'inner-kept', 'nested-through-db', 'outer']);

    await t.rejects(db.transaction(async (tx) => {
      await tx.transaction(async (inner) => {
        await inner.run('INSERT INTO permission VALUES (?, ?)', ['released-then-outer-fails', 'A']);
      });
      throw new Error('outer fails');
    }));
    t.equal(await db.get('SELECT * FROM permission WHERE username = ?', ['released-then-outer-fails']),
      undefined, 'a released savepoint still rolls back with its transaction');
  });

  void t.test('calls through the database inside a transaction join it', async (t) => {
    const db = await fresh(t);
    await t.rejects(db.transaction(async (tx) => {
      await tx.run('INSERT INTO permission VALUES (?, ?)', ['joined', 'A']);
      const seen = await db.get<{ n: number }>('SELECT count(*) AS n FROM permission');
      t.equal(seen?.n, 1, 'a helper using the database sees the transaction\'s own row');
      await db.run('INSERT INTO permission VALUES (?, ?)', ['joined-too', 'A']);
      throw new Error('undo both');
    }), /undo both/);
    t.same(await db.all('SELECT * FROM permission'), [], 'both rows rolled back with the transaction');
  });

  void t.test('a row of a transaction that rolls back is never seen outside it', async (t) => {
    const db = await fresh(t);
    let reached: () => void = () => undefined;
    const inserted = new Promise<void>((resolve) => { reached = resolve; });
    const transaction = db.transaction(async (tx) => {
      await tx.run('INSERT INTO permission VALUES (?, ?)', ['ghost', 'A']);
      reached();
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('roll back');
    });
    await inserted;
    // Outside the transaction's async context: another request, so to speak.
    const outside = runInRequestScope(() => db.all('SELECT * FROM permission WHERE username = ?', ['ghost']));
    await t.rejects(transaction, /roll back/);
    t.same(await outside, []);
  });

  void t.test('a transaction handle used after the end is refused', async (t) => {
    const db = await fresh(t);
    let kept: Transaction | undefined;
    await db.transaction(async (tx) => { kept = tx; });
    const error = await rejection(kept!.run('INSERT INTO permission VALUES (?, ?)', ['x', 'y']));
    t.equal(error.code, 'GH_ERR_DB_QUERY');
    t.match(error.message, /transaction has already ended/);
  });

  void t.test('createTable: auto-increment key, unique index, inside a transaction too', async (t) => {
    const db = await fresh(t);
    await db.createTable(notesTable);
    await db.run('INSERT INTO plugin_notes (body) VALUES (?)', ['one']);
    await db.run('INSERT INTO plugin_notes (body) VALUES (?)', ['two']);
    t.same(await db.all('SELECT id, body FROM plugin_notes ORDER BY id'), [{ id: 1, body: 'one' }, { id: 2, body: 'two' }]);
    t.equal((await rejection(db.run('INSERT INTO plugin_notes (body) VALUES (?)', ['one']))).code,
      'GH_ERR_DB_DUPLICATE_KEY', 'the unique index exists');

    await db.transaction(async (tx) => {
      await db.createTable({ name: 'plugin_tags', columns: [{ name: 'name', type: 'text' }], key: ['name'] }, tx);
      await tx.run('INSERT INTO plugin_tags VALUES (?)', ['a']);
    });
    t.same(await db.all('SELECT name FROM plugin_tags'), [{ name: 'a' }]);
  });

  void t.test('requests in their own scopes run side by side', async (t) => {
    const db = await fresh(t);
    await Promise.all(Array.from({ length: 12 }, (_unused, index) => runInRequestScope(async () => {
      await db.transaction(async (tx) => {
        await tx.run('INSERT INTO permission VALUES (?, ?)', [`user${index}`, 'A']);
        await db.get('SELECT count(*) AS n FROM permission');
      });
      await Promise.all([db.get('SELECT 1 AS one'), db.all('SELECT * FROM permission')]);
    })));
    t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM permission'))?.n, 12);
  });

  void t.test('ping and kind', async (t) => {
    const db = await fresh(t);
    await db.ping();
    t.ok(['sqlite', 'postgres', 'mysql'].includes(db.kind));
    t.ok(Array.isArray(db.poolStatus()));
  });
}
