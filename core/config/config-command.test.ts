import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { CliIo } from '../cli/types';
import { runCli } from '../cli/main';
import { createEnvironment } from '../env/create-environment';
import { openEnvironment } from '../env/environment';
import { configCommand } from './config-command';
import { defineOption } from './options';

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
}

function capture(stdin = ''): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout, stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    readStdin: async () => stdin,
    promptSecret: async () => { throw new Error('no terminal in tests'); },
  };
}

async function newEnvironment(t: tap.Test): Promise<{ env: string; ini: string }> {
  const env = path.join(t.testdir(), 'project');
  await createEnvironment(env, { projectName: 'Project', log: pino({ level: 'silent' }) });
  const ini = path.join(env, 'conf', 'trac.ini');
  await fs.appendFile(ini, [
    '', '[notification]', '# the relay we send through', 'smtp_server = mail.example.org',
    'smtp_password = p;a#ss', '',
  ].join('\n'));
  return { env, ini };
}

async function admin(env: string, args: string[], stdin = ''): Promise<Captured & { status: number }> {
  const io = capture(stdin);
  const status = await runCli([env, 'config', ...args], io);
  return { ...io, status };
}

void t.test('get prints a value; an unset key exits 1 with a one-line reason', async (t) => {
  const { env, ini } = await newEnvironment(t);
  const found = await admin(env, ['get', 'notification', 'SMTP_PASSWORD']);
  t.equal(found.status, 0);
  t.same(found.stdout, ['p;a#ss']);

  const declared = await admin(env, ['get', 'attachment', 'max_size']);
  t.equal(declared.status, 1);
  t.same(declared.stderr, [`[attachment] max_size is not set in ${ini}; the default applies: "262144"`]);
  t.same(declared.stdout, []);

  const unknown = await admin(env, ['get', 'nowhere', 'nothing']);
  t.equal(unknown.status, 1);
  t.same(unknown.stderr, [`[nowhere] nothing is not set in ${ini}`]);
});

void t.test('set writes the value and keeps every other line', async (t) => {
  const { env, ini } = await newEnvironment(t);
  const before = await fs.readFile(ini, 'utf8');

  const result = await admin(env, ['set', 'notification', 'smtp_server', 'relay.example.org']);
  t.equal(result.status, 0);
  t.equal(await fs.readFile(ini, 'utf8'),
    before.replace('smtp_server = mail.example.org', 'smtp_server = relay.example.org'));
  t.same((await admin(env, ['get', 'notification', 'smtp_server'])).stdout, ['relay.example.org']);

  t.equal((await admin(env, ['set', 'attachment', 'max_size', '1048576'])).status, 0);
  t.same((await admin(env, ['get', 'attachment', 'max_size'])).stdout, ['1048576']);
  t.match(await fs.readFile(ini, 'utf8'), /\n\[attachment\]\nmax_size = 1048576\n$/);
});

void t.test('set of a declared option refuses a malformed value with exit 2 and writes nothing', async (t) => {
  const { env, ini } = await newEnvironment(t);
  const before = await fs.stat(ini);
  const text = await fs.readFile(ini, 'utf8');

  const badInt = await admin(env, ['set', 'attachment', 'max_size', 'lots']);
  t.equal(badInt.status, 2);
  t.same(badInt.stderr, [`${ini} [attachment] max_size = "lots": expected an integer`]);

  const badBool = await admin(env, ['set', 'trac', 'secure_cookies', 'perhaps']);
  t.equal(badBool.status, 2);
  t.match(badBool.stderr[0], '[trac] secure_cookies = "perhaps": expected a boolean');

  const badChoice = await admin(env, ['set', 'logging', 'LOG_LEVEL', 'loud']);
  t.equal(badChoice.status, 2);
  t.match(badChoice.stderr[0], /\[logging\] log_level = "loud": expected one of: /);

  const badName = await admin(env, ['set', 'trac', 'a=b', '1']);
  t.equal(badName.status, 2);
  t.match(badName.stderr[0], /cannot set \[trac\] a=b: an option name/);

  t.equal(await fs.readFile(ini, 'utf8'), text);
  t.equal((await fs.stat(ini)).ino, before.ino, 'the file was not replaced');
});

void t.test('set accepts keys nobody declares, and reads a secret from standard input', async (t) => {
  const { env, ini } = await newEnvironment(t);
  t.equal((await admin(env, ['set', 'future-plugin', 'colour', 'blue'])).status, 0);
  t.same((await admin(env, ['get', 'future-plugin', 'colour'])).stdout, ['blue']);

  const viaStdin = await admin(env, ['set', 'notification', 'smtp_password', '--stdin'], 'n3w;pa#ss\n');
  t.equal(viaStdin.status, 0);
  t.match(await fs.readFile(ini, 'utf8'), /\nsmtp_password = n3w;pa#ss\n/);

  t.equal((await admin(env, ['set', 'future-plugin', 'offset', '--', '-5'])).status, 0, '-- ends the flags');
  t.same((await admin(env, ['get', 'future-plugin', 'offset'])).stdout, ['-5']);
});

void t.test('remove takes a key out; a missing or inherited key exits 1 saying where it is', async (t) => {
  const { env, ini } = await newEnvironment(t);
  const site = path.join(path.dirname(env), 'site.ini');
  await fs.writeFile(site, '[logging]\nlog_level = debug\n');
  await admin(env, ['set', 'inherit', 'file', '../../site.ini']);

  t.equal((await admin(env, ['remove', 'notification', 'smtp_server'])).status, 0);
  t.notMatch(await fs.readFile(ini, 'utf8'), /smtp_server/);
  t.match(await fs.readFile(ini, 'utf8'), /# the relay we send through\nsmtp_password = p;a#ss\n/);

  const again = await admin(env, ['remove', 'notification', 'smtp_server']);
  t.equal(again.status, 1);
  t.same(again.stderr, [`[notification] smtp_server is not set in ${ini}`]);

  const inherited = await admin(env, ['remove', 'logging', 'log_level']);
  t.equal(inherited.status, 1);
  t.same(inherited.stderr, [`[logging] log_level is not set in ${ini} but inherited from ${site}; edit that file`]);
});

void t.test('list shows declared options, hides secrets, reports unknown keys and bad values', async (t) => {
  const { env, ini } = await newEnvironment(t);
  await fs.appendFile(ini, '[attachment]\nmax_size = huge\nmax_sise = 10\n');
  await admin(env, ['set', 'trac', 'database', 'sqlite:db/trac.db']);

  const listed = await admin(env, ['list']);
  t.equal(listed.status, 1, 'a malformed value makes list exit 1');
  const out = listed.stdout.join('\n');
  t.match(out, `[attachment]\n  max_size = huge  (from ${ini})\n      int, default: 262144.`);
  t.match(out, `      error: ${ini} [attachment] max_size = "huge": expected an integer`);
  t.match(out, /\n {2}database = \*{8} {2}\(from /, 'the database string (it may hold a password) is masked');
  t.match(out, `Set, but declared by no loaded component (a typo, or a plugin that is not enabled?):\n`);
  t.match(out, `  [attachment] max_sise  (in ${ini})`);
  t.match(out, '  [notification] smtp_server');
  t.same(listed.stderr, ['1 option value is malformed; see "error:" above']);

  const one = await admin(env, ['list', 'project']);
  t.equal(one.status, 0);
  t.same(one.stdout.filter((line) => line.startsWith('[')), ['[project]'], 'only the section asked for');
  t.match(one.stdout.join('\n'), '  name = Project  (from ');

  const none = await admin(env, ['list', 'nothing-here']);
  t.same(none.stdout, ['No loaded component declares options in [nothing-here].']);
});

void t.test('usage: wrong arguments exit 2; --help prints every subcommand', async (t) => {
  const { env } = await newEnvironment(t);
  for (const args of [[], ['fetch'], ['get', 'trac'], ['set', 'a', 'b'], ['remove'], ['list', 'a', 'b'],
    ['get', 'a', 'b', '--stdin']]) {
    const result = await admin(env, args);
    t.equal(result.status, 2, JSON.stringify(args));
    t.ok(result.stderr.some((line) => line.startsWith('usage: gatehouse-admin ENV config')), 'usage shown');
  }

  const help = await admin(env, ['--help']);
  t.equal(help.status, 0);
  for (const line of [
    'usage: gatehouse-admin ENV config get SECTION KEY',
    'usage: gatehouse-admin ENV config set SECTION KEY VALUE',
    '       gatehouse-admin ENV config set SECTION KEY --stdin',
    'usage: gatehouse-admin ENV config remove SECTION KEY',
    'usage: gatehouse-admin ENV config list [SECTION]',
  ]) {
    t.ok(help.stdout.join('\n').split('\n').includes(line), line);
  }
});

void t.test('the command object answers --help per subcommand and uses the specs it is given', async (t) => {
  const { env, ini } = await newEnvironment(t);
  const opened = await openEnvironment(env, { name: '', log: pino({ level: 'silent' }), withDatabase: false });
  t.teardown(() => opened.close());
  const strict = defineOption({ section: 'custom', name: 'level', type: 'int', default: 1, min: 1, max: 3, doc: 'A level.' });
  const command = configCommand(() => [strict]);

  const help = capture();
  t.equal(await command.run(opened, ['set', '--help'], help), 0);
  t.match(help.stdout[0], 'usage: gatehouse-admin ENV config set SECTION KEY VALUE');
  t.notMatch(help.stdout.join('\n'), 'config list');

  const refused = capture();
  t.equal(await command.run(opened, ['set', 'custom', 'level', '4'], refused), 2);
  t.same(refused.stderr, [`${ini} [custom] level = "4": expected an integer from 1 to 3`]);
  t.equal(await command.run(opened, ['set', 'custom', 'level', '3'], capture()), 0);
  t.match(await fs.readFile(ini, 'utf8'), /\n\[custom\]\nlevel = 3\n$/);
});
