/** `gatehouse-admin ENV user ...`: in-process for every case, and once as a real process. */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cleanup, makeEnvironment, tempDir } from '../../../test/helpers/environments';
import { admin, adminProcess } from '../../../test/fixtures/core-kit';
import { apacheAccepts, fixturesDir, htpasswdMissing } from './helpers';

const skip = htpasswdMissing();
t.teardown(cleanup);

async function environment(name: string, userFile: string | undefined) {
  const parent = await tempDir('gh-auth-basic-cli-');
  const env = await makeEnvironment(parent, name, { config: {
    components: { 'auth_basic.*': 'enabled' },
    'auth-basic': { bcrypt_cost: '5', ...(userFile === undefined ? {} : { user_file: userFile }) },
  } });
  return env;
}

void t.test('add, list, verify, passwd, remove; Apache reads every line', { skip }, async (t) => {
  const dir = await tempDir('gh-auth-basic-cli-files-');
  const file = path.join(dir, 'sub', 'users.htpasswd');
  fs.mkdirSync(path.dirname(file));
  const env = await environment('cli', file);

  const added = await admin([env, 'user', 'add', 'zed', '--password-stdin'], 'Grüße: zed\n');
  t.equal(added.status, 0, added.err);
  t.match(added.out, /added user zed/);
  t.equal(fs.statSync(file).mode & 0o777, 0o640, 'the file is created 0640');
  t.match(fs.readFileSync(file, 'utf8'), /^zed:\$2y\$05\$/, 'bcrypt $2y$ at the configured cost');
  t.equal(await apacheAccepts(file, 'zed', 'Grüße: zed'), true, 'htpasswd -vb agrees');
  t.equal(await apacheAccepts(file, 'zed', 'Grüße: zed\n'), false, 'one trailing newline dropped');

  const again = await admin([env, 'user', 'add', 'zed', '--password-stdin'], 'other\n');
  t.equal(again.status, 1);
  t.match(again.err, /user zed already exists/);

  t.equal((await admin([env, 'user', 'add', 'amy', '--password-stdin'], 'amy-pass')).status, 0);
  t.same((await admin([env, 'user', 'list'])).out.split('\n'), ['zed', 'amy']);

  t.equal((await admin([env, 'user', 'verify', 'amy', '--password-stdin'], 'amy-pass\n')).status, 0);
  const wrong = await admin([env, 'user', 'verify', 'amy', '--password-stdin'], 'nope\n');
  t.equal(wrong.status, 1);
  t.match(wrong.err, /not correct/);

  fs.chmodSync(file, 0o600);
  t.equal((await admin([env, 'user', 'passwd', 'amy', '--password-stdin'], 'changed\n')).status, 0);
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'mode kept on change');
  t.equal(await apacheAccepts(file, 'amy', 'changed'), true);
  t.equal(await apacheAccepts(file, 'amy', 'amy-pass'), false);

  const absent = await admin([env, 'user', 'passwd', 'nobody', '--password-stdin'], 'x\n');
  t.equal(absent.status, 1);
  t.match(absent.err, /no user nobody/);

  t.equal((await admin([env, 'user', 'remove', 'zed'])).status, 0);
  t.same((await admin([env, 'user', 'list'])).out.split('\n'), ['amy']);
  t.equal((await admin([env, 'user', 'remove', 'zed'])).status, 1);
  t.same(fs.readdirSync(path.dirname(file)), ['users.htpasswd'], 'no temporary files left');
});

void t.test('works on a file Apache made, keeping its other lines', { skip }, async (t) => {
  const file = path.join(await tempDir('gh-auth-basic-cli-files-'), 'users.htpasswd');
  fs.copyFileSync(path.join(fixturesDir(), 'htpasswd'), file);
  const env = await environment('fixture', file);
  t.equal((await admin([env, 'user', 'verify', 'frank', '--password-stdin'], 'sha512:rounds\n')).status, 0);
  t.equal((await admin([env, 'user', 'passwd', 'bob', '--password-stdin'], 'new-bob\n')).status, 0);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  t.equal(lines.length, 10);
  t.match(lines[1], /^bob:\$2y\$05\$/);
  t.equal(lines[0], fs.readFileSync(path.join(fixturesDir(), 'htpasswd'), 'utf8').split('\n')[0],
    'alice untouched');
  for (const [user, password] of [['bob', 'new-bob'], ['alice', 'wonderland'], ['judy', 'a:b:c']]) {
    t.equal(await apacheAccepts(file, user, password), true, `${user} still accepted by htpasswd`);
  }
});

void t.test('usage and configuration errors', async (t) => {
  const unset = await environment('unset', undefined);
  const noFile = await admin([unset, 'user', 'list']);
  t.equal(noFile.status, 1);
  t.match(noFile.err, /\[auth-basic\] user_file is not set/);

  const file = path.join(await tempDir('gh-auth-basic-cli-files-'), 'u.htpasswd');
  const env = await environment('usage', file);
  for (const argv of [[], ['frobnicate'], ['add'], ['add', 'a', 'b'], ['list', 'x'],
    ['remove', 'a', '--password-stdin'], ['add', 'a', '--force']]) {
    const run = await admin([env, 'user', ...argv]);
    t.equal(run.status, 2, `user ${argv.join(' ')}`);
    t.equal(run.err.split('\n').filter(Boolean).length, 1, 'one line says why');
  }
  const noTerminal = await admin([env, 'user', 'add', 'amy']);
  t.equal(noTerminal.status, 1);
  t.match(noTerminal.err, /--password-stdin/);
  t.equal((await admin([env, 'user', 'add', 'a:b', '--password-stdin'], 'x')).status, 1);
  t.equal((await admin([env, 'user', 'add', 'amy', '--password-stdin'], '\n')).status, 1, 'empty password');
  t.equal((await admin([env, 'user', 'list'])).status, 1, 'the file still does not exist');
});

void t.test('the real gatehouse-admin process', { skip }, async (t) => {
  const file = path.join(await tempDir('gh-auth-basic-cli-files-'), 'p.htpasswd');
  const env = await environment('process', file);
  const added = await adminProcess([env, 'user', 'add', 'pat', '--password-stdin'], { stdin: 'pat-pw\n' });
  t.equal(added.status, 0, added.stderr);
  t.equal(await apacheAccepts(file, 'pat', 'pat-pw'), true);
  const wrong = await adminProcess([env, 'user', 'verify', 'pat', '--password-stdin'], { stdin: 'no\n' });
  t.equal(wrong.status, 1);
  const exists = await adminProcess([env, 'user', 'add', 'pat', '--password-stdin'], { stdin: 'x\n' });
  t.equal(exists.status, 1);
  t.equal(exists.stderr.trim().split('\n').length, 1, 'one line');
  t.equal((await adminProcess([env, 'user', 'bogus'])).status, 2);
});
