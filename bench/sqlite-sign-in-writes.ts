/**
 * SQLite write throughput as sign-ins see it: 32 concurrent sign-ins, each inserting a new
 * auth_cookie row, spread over 1, 2 and 4 processes sharing one database file (as `--workers`
 * does). Reports rows per second and every failure; the target is 1500/s with none.
 *
 * Usage: node dist/bench/sqlite-sign-in-writes.js [SECONDS=5] [CONCURRENCY=32]
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreSchema } from '../core/db/core-schema';
import { createDatabase, openDatabase } from '../core/db/open-database';
import { createSchema } from '../core/db/setup';
import { testOpenContext } from '../core/db/testing/db-test-context';
import type { WriteSummary } from '../core/db/testing/write-process';

const WRITER = path.join(__dirname, '..', 'core', 'db', 'testing', 'write-process.js');

function runWriter(envPath: string, seconds: number, lanes: number, label: string): Promise<WriteSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, envPath, 'run', String(seconds), String(lanes), label],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('close', (code) => {
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as WriteSummary);
      else reject(new Error(`writer ${label} exited with ${code}`));
    });
  });
}

async function measure(workers: number, seconds: number, concurrency: number) {
  const envPath = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-bench-sqlite-'));
  try {
    const context = await testOpenContext(envPath);
    await createDatabase('sqlite:db/trac.db', context);
    const db = await openDatabase('sqlite:db/trac.db', context);
    await createSchema(db, [new CoreSchema()]);
    await db.close();

    const lanes = Math.ceil(concurrency / workers);
    const summaries = await Promise.all(Array.from({ length: workers },
      (_, index) => runWriter(envPath, seconds, lanes, `w${index}`)));
    const written = summaries.reduce((sum, summary) => sum + summary.written, 0);
    const elapsed = Math.max(...summaries.map((summary) => summary.elapsedMs)) / 1000;
    const failures = summaries.flatMap((summary) => summary.failures);
    return { workers, lanes, written, perSecond: Math.round(written / elapsed), failures };
  } finally {
    await fs.rm(envPath, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 32);
  console.log(`SQLite sign-in writes: ${concurrency} concurrent, ${seconds} s per run, target 1500/s, 0 failures`);
  let failed = false;
  for (const workers of [1, 2, 4]) {
    const result = await measure(workers, seconds, concurrency);
    const locked = result.failures.filter((message) => /locked/i.test(message)).length;
    console.log(`${workers} process(es) x ${result.lanes} lanes: ${result.perSecond} rows/s, ` +
      `${result.written} rows, ${result.failures.length} failures (${locked} "locked")`);
    for (const message of new Set(result.failures)) console.log(`  failure: ${message}`);
    if (result.perSecond < 1500 || result.failures.length > 0) failed = true;
  }
  console.log(failed ? 'BELOW TARGET' : 'target met');
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
