/**
 * A separate process that writes sign-in rows (auth_cookie) into an environment's database, so
 * tests and the benchmark can check that processes sharing one SQLite file never fail with
 * "database is locked".
 *
 * Usage: node write-process.js ENV_PATH MODE ARG...
 *   writes COUNT CONCURRENCY LABEL   COUNT inserts, CONCURRENCY at a time, every fourth in a
 *                                    read-then-write transaction; prints a JSON summary
 *   hold MILLISECONDS                 holds the write lock (an open transaction) that long
 *   run SECONDS CONCURRENCY LABEL     inserts for SECONDS; prints a JSON summary with the count
 * A line "ready" is printed once the database is open (and, for `hold`, once the lock is held).
 */
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../open-database';
import type { Database } from '../types';
import { testOpenContext } from './db-test-context';

export interface WriteSummary {
  label: string;
  written: number;
  failures: string[];
  elapsedMs: number;
}

/** One sign-in's write, as the login module makes it: a new cookie row. */
export async function writeSignIn(db: Database, label: string, index: number): Promise<void> {
  await db.run('INSERT INTO auth_cookie (cookie, name, ipnr, time) VALUES (?, ?, ?, ?)',
    [randomBytes(16).toString('hex'), `${label}-user-${index}`, '127.0.0.1', Math.floor(Date.now() / 1000)]);
}

/**
 * A read-then-write transaction (look the user up, then record the sign-in): the pattern that
 * fails at once with "database is locked" when a transaction does not take the write lock up
 * front.
 */
export async function writeSignInAfterRead(db: Database, label: string, index: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.get('SELECT count(*) AS n FROM auth_cookie WHERE name = ?', [`${label}-user-${index}`]);
    await tx.run('INSERT INTO auth_cookie (cookie, name, ipnr, time) VALUES (?, ?, ?, ?)',
      [randomBytes(16).toString('hex'), `${label}-user-${index}`, '127.0.0.1', Math.floor(Date.now() / 1000)]);
  });
}

/** Every fourth write is a read-then-write transaction, the rest plain inserts. */
export function mixedWrite(db: Database, label: string, index: number): Promise<void> {
  return index % 4 === 0 ? writeSignInAfterRead(db, label, index) : writeSignIn(db, label, index);
}

/** Runs `next()` on `concurrency` parallel lanes until it returns false; collects failures. */
async function lanes(concurrency: number, work: (index: number) => Promise<boolean>): Promise<string[]> {
  const failures: string[] = [];
  let counter = 0;
  const lane = async () => {
    for (;;) {
      const index = counter;
      counter += 1;
      try {
        if (!(await work(index))) return;
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return failures;
}

async function main(): Promise<void> {
  const [envPath, mode, ...rest] = process.argv.slice(2);
  const context = await testOpenContext(envPath);
  const db = await openDatabase('sqlite:db/trac.db', context);
  const started = Date.now();

  if (mode === 'hold') {
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO "system" (name, value) VALUES (?, ?)', [`held-${process.pid}`, 'yes']);
      process.stdout.write('ready\n');
      await new Promise((resolve) => setTimeout(resolve, Number(rest[0])));
    });
  } else {
    const [amount, concurrency, label] = rest;
    process.stdout.write('ready\n');
    let written = 0;
    const until = mode === 'run' ? started + Number(amount) * 1000 : Infinity;
    const failures = await lanes(Number(concurrency), async (index) => {
      if (mode === 'writes' ? index >= Number(amount) : Date.now() >= until) return false;
      await (mode === 'writes' ? mixedWrite(db, label, index) : writeSignIn(db, label, index));
      written += 1;
      return true;
    });
    const summary: WriteSummary = { label, written, failures, elapsedMs: Date.now() - started };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
  await db.close();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
