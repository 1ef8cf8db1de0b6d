/** `gatehouse-admin ENV upgrade`, run through the real command line entry on a real environment. */
import t from 'tap';
import path from 'node:path';
import { runCli } from '../cli/main';
import type { CliIo } from '../cli/types';
import { createEnvironment } from '../env/create-environment';
import type { GatehouseError } from '../errors';
import { openDatabase } from './open-database';
import { testOpenContext } from './testing/db-test-context';

function capturingIo(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (line) => lines.push(line),
    err: (line) => lines.push(`stderr: ${line}`),
    readStdin: async () => '',
    promptSecret: async () => '',
  };
}

/** Changes the environment's database behind the CLI's back, as an older release would leave it. */
async function alterDatabase(envPath: string, statements: string[]): Promise<void> {
  const context = await testOpenContext(envPath, undefined);
  const db = await openDatabase('sqlite:db/trac.db', context);
  try {
    for (const statement of statements) await db.run(statement);
  } finally {
    await db.close();
  }
}

void t.test('upgrade on a current environment says so and exits 0', async (t) => {
  const envPath = path.join(t.testdir(), 'project');
  await createEnvironment(envPath);
  const io = capturingIo();
  t.equal(await runCli([envPath, 'upgrade'], io), 0);
  t.same(io.lines, ['Database is already up to date']);
});

void t.test('upgrade installs the core schema into a database without it', async (t) => {
  const envPath = path.join(t.testdir(), 'project');
  await createEnvironment(envPath);
  await alterDatabase(envPath, [
    'DROP TABLE session_attribute',
    'DELETE FROM "system" WHERE name = \'gatehouse_core_version\'',
  ]);

  const io = capturingIo();
  t.equal(await runCli([envPath, 'upgrade'], io), 0);
  t.same(io.lines, ['Installed gatehouse_core_version at version 1', 'Upgrade done.']);

  const again = capturingIo();
  t.equal(await runCli([envPath, 'upgrade'], again), 0);
  t.same(again.lines, ['Database is already up to date']);
  const context = await testOpenContext(envPath, undefined);
  const db = await openDatabase('sqlite:db/trac.db', context);
  t.teardown(() => db.close());
  t.same(await db.all('SELECT * FROM session_attribute'), [], 'the dropped table is back');
});

void t.test('upgrade refuses arguments and a schema newer than the code', async (t) => {
  const envPath = path.join(t.testdir(), 'project');
  await createEnvironment(envPath);
  const usage = await runCli([envPath, 'upgrade', '--no-backup'], capturingIo())
    .catch((error: GatehouseError) => error);
  t.equal((usage as GatehouseError).code, 'GH_ERR_CLI_USAGE');

  const help = capturingIo();
  t.equal(await runCli([envPath, 'upgrade', '--help'], help), 0);
  t.match(help.lines.join('\n'), /Usage: gatehouse-admin ENV upgrade/);

  await alterDatabase(envPath, ['UPDATE "system" SET value = \'9\' WHERE name = \'gatehouse_core_version\'']);
  const newer = await runCli([envPath, 'upgrade'], capturingIo()).catch((error: GatehouseError) => error);
  t.equal((newer as GatehouseError).code, 'GH_ERR_DB_SCHEMA_NEWER');
  t.match((newer as GatehouseError).message, /gatehouse_core_version = 9/);
});
