/**
 * Several processes sharing one SQLite file, as server workers and the admin CLI do: writers
 * wait for each other instead of failing with "database is locked".
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { GatehouseError } from '../errors';
import { CoreSchema } from './core-schema';
import { createDatabase, openDatabase } from './open-database';
import { createSchema } from './setup';
import { testOpenContext } from './testing/db-test-context';
import { mixedWrite, writeSignIn, type WriteSummary } from './testing/write-process';

const WRITER = path.join(__dirname, 'testing', 'write-process.js');

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  /** Standard output once the process exits with status 0. */
  done: Promise<string>;
}

function startWriter(envPath: string, ...args: string[]): Child {
  const child = spawn(process.execPath, [WRITER, envPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
  const done = new Promise<string>((resolve, reject) => {
    child.on('close', (code) => {
      markReady();
      if (code === 0) resolve(output);
      else reject(new Error(`writer exited with ${code}: ${errors}`));
    });
  });
  return { process: child, ready, done };
}

function summaryOf(output: string): WriteSummary {
  const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
  return JSON.parse(line ?? '{}') as WriteSummary;
}

async function preparedEnvironment(envPath: string, ini?: string) {
  const context = await testOpenContext(envPath, ini);
  await createDatabase('sqlite:db/trac.db', context);
  const db = await openDatabase('sqlite:db/trac.db', context);
  await createSchema(db, [new CoreSchema()]);
  return { context, db };
}

void t.test('three writer processes and this one write at once without a single locked error', async (t) => {
  const envPath = t.testdir();
  const { db } = await preparedEnvironment(envPath);
  t.teardown(() => db.close());

  const children = ['p1', 'p2', 'p3'].map((label) => startWriter(envPath, 'writes', '400', '16', label));
  await Promise.all(children.map((child) => child.ready));
  const failures: string[] = [];
  await Promise.all(Array.from({ length: 16 }, async (_, lane) => {
    for (let index = lane; index < 400; index += 16) {
      await mixedWrite(db, 'parent', index).catch((error: Error) => failures.push(error.message));
    }
  }));
  const summaries = (await Promise.all(children.map((child) => child.done))).map(summaryOf);

  t.same(failures, [], 'this process saw no failure');
  for (const summary of summaries) {
    t.same(summary.failures, [], `${summary.label} saw no failure`);
    t.equal(summary.written, 400, `${summary.label} wrote all its rows`);
  }
  const count = await db.get<{ n: number }>('SELECT count(*) AS n FROM auth_cookie');
  t.equal(count?.n, 1600, 'every row of every process is there');
});

void t.test('a writer waits out another process holding a transaction open', async (t) => {
  const envPath = t.testdir();
  const { db } = await preparedEnvironment(envPath);
  t.teardown(() => db.close());

  // Longer than SQLite's own short busy wait, so the timer-driven retries do the waiting.
  const holder = startWriter(envPath, 'hold', '600');
  await holder.ready;
  await Promise.all(Array.from({ length: 10 }, (_, index) => writeSignIn(db, 'waiting', index)));
  await holder.done;

  t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM auth_cookie'))?.n, 10);
  const held = await db.get<{ n: number }>('SELECT count(*) AS n FROM "system" WHERE name LIKE ?', ['held-%']);
  t.equal(held?.n, 1, 'the holder committed too');
});

void t.test('past [trac] timeout, a locked database is GH_ERR_DB_UNAVAILABLE, then works again', async (t) => {
  const envPath = t.testdir();
  const { db: setupDb } = await preparedEnvironment(envPath);
  await setupDb.close();
  const context = await testOpenContext(envPath, '[trac]\ndatabase = sqlite:db/trac.db\ntimeout = 1\n');
  const db = await openDatabase('sqlite:db/trac.db', context);
  t.teardown(() => db.close());

  const holder = startWriter(envPath, 'hold', '3000');
  await holder.ready;
  let error: GatehouseError | undefined;
  await writeSignIn(db, 'impatient', 0).catch((caught: GatehouseError) => { error = caught; });
  t.equal(error?.code, 'GH_ERR_DB_UNAVAILABLE');
  t.match(error?.message, /stayed locked by another process .*\[trac\] timeout/);
  t.match(error?.message, /trac\.db/, 'names the file');

  await holder.done;
  await writeSignIn(db, 'impatient', 1);
  t.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM auth_cookie'))?.n, 1);
});
