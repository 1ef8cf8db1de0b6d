/** The htpasswd store on real files: reload, failure, cache, warnings and atomic writes. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { HtpasswdFileStore, type HtpasswdFileStoreSettings } from '../htpasswd-file-store';
import { apacheAccepts, captureLog, fixturesDir, FIXTURE_PASSWORDS, htpasswdMissing } from './helpers';

const skip = htpasswdMissing();
const WARN = 40;
const ERROR = 50;

function makeStore(file: string, overrides: Partial<HtpasswdFileStoreSettings> = {}) {
  const capture = captureLog();
  const store = new HtpasswdFileStore({
    file, allowPlaintext: false, bcryptCost: 4, cacheSize: 100, cacheTtlSeconds: 300,
    statIntervalMs: 0, ...overrides,
  }, capture.log);
  return { store, capture };
}

function copyFixture(dir: string): string {
  const file = path.join(dir, 'users.htpasswd');
  fs.copyFileSync(path.join(fixturesDir(), 'htpasswd'), file);
  return file;
}

void t.test('checks fixture users; unknown users are null', async (t) => {
  const { store } = makeStore(copyFixture(t.testdir()));
  for (const [user, password] of Object.entries(FIXTURE_PASSWORDS)) {
    t.equal(await store.checkPassword(user, password), user !== 'grace', user);
    t.equal(await store.checkPassword(user, `?${password}`), false, `${user}, wrong password`);
  }
  t.equal(await store.checkPassword('nobody', 'x'), null);
  t.equal(await store.hasUser('alice'), true);
  t.equal(await store.hasUser('nobody'), false);
  t.same(await store.listUsers(), Object.keys(FIXTURE_PASSWORDS));
});

void t.test('plain text is refused with one warning naming the line, unless allowed', async (t) => {
  const file = copyFixture(t.testdir());
  const { store, capture } = makeStore(file);
  t.equal(await store.checkPassword('grace', 'plain-text'), false);
  t.equal(await store.checkPassword('grace', 'plain-text'), false);
  const warnings = capture.atLeast(WARN).filter((line) => /plain-text/.test(String(line.msg)));
  t.equal(warnings.length, 1, 'once per version of the file');
  t.match(warnings[0], { line: 7, user: 'grace', file });

  const allowing = makeStore(file, { allowPlaintext: true });
  t.equal(await allowing.store.checkPassword('grace', 'plain-text'), true);
  t.equal(allowing.capture.atLeast(WARN).length, 0);
});

void t.test('a malformed line is logged with its number; the others still work', async (t) => {
  const file = path.join(t.testdir(), 'users.htpasswd');
  const bob = fs.readFileSync(path.join(fixturesDir(), 'htpasswd'), 'utf8').split('\n')[1];
  fs.writeFileSync(file, `# users\r\nbroken line without colon\r\n${bob}\r\n`);
  const { store, capture } = makeStore(file);
  t.equal(await store.checkPassword('bob', 'builder-42'), true);
  t.equal(await store.checkPassword('bob', 'builder-42'), true);
  const warnings = capture.atLeast(WARN);
  t.equal(warnings.length, 1);
  t.match(warnings[0], { line: 2, file, msg: /line 2: no colon/ });
});

void t.test('reloads when the file changes, and drops cached successes', { skip }, async (t) => {
  const file = copyFixture(t.testdir());
  const { store } = makeStore(file);
  t.equal(await store.checkPassword('bob', 'builder-42'), true);
  t.equal(store.cache.size, 1, 'the success is cached');

  // htpasswd writes a new file and renames it over the old one.
  execFileSync('htpasswd', ['-b', '-m', file, 'bob', 'new-pass']);
  t.equal(await store.checkPassword('bob', 'builder-42'), false, 'the old password no longer works');
  t.equal(await store.checkPassword('bob', 'new-pass'), true);

  execFileSync('htpasswd', ['-bB', '-C', '4', file, 'newbie', 'fresh-one']);
  t.equal(await store.checkPassword('newbie', 'fresh-one'), true, 'a new user, no restart');

  // An editor writing in place (same inode) is seen too.
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith('newbie:'));
  fs.writeFileSync(file, lines.join('\n'));
  t.equal(await store.checkPassword('newbie', 'fresh-one'), null, 'removed in place');
});

void t.test('a missing or unreadable file lets nobody in and says why once', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'users.htpasswd');
  const { store, capture } = makeStore(file);
  for (let i = 0; i < 3; i += 1) {
    await t.rejects(store.checkPassword('alice', 'wonderland'), {
      code: 'GH_ERR_AUTH_STORE_UNAVAILABLE', status: 503,
      message: /HtPasswdStore is unavailable: its file cannot be read \(ENOENT\)/,
    });
  }
  const errors = capture.atLeast(ERROR);
  t.equal(errors.length, 1, 'logged once while the failure lasts');
  t.match(errors[0], { file, osError: 'ENOENT' });

  copyFixture(dir);
  t.equal(await store.checkPassword('alice', 'wonderland'), true, 'works again once the file is back');
  t.equal(await store.checkPassword('alice', 'wonderland'), true);

  fs.rmSync(file);
  fs.mkdirSync(file);
  await t.rejects(store.checkPassword('alice', 'wonderland'), { code: 'GH_ERR_AUTH_STORE_UNAVAILABLE' },
    'a cached success does not survive the file going bad');
  t.match(capture.atLeast(ERROR).at(-1), { file, osError: 'EISDIR' });
});

void t.test('writes are atomic, keep mode and other lines, and Apache reads them', { skip },
  async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'new.htpasswd');
  const { store } = makeStore(file);

  t.equal(await store.setPassword('alice', 'Grüße: ÿ'), true, 'created');
  t.equal(fs.statSync(file).mode & 0o777, 0o640, 'a new file is 0640');
  t.match(fs.readFileSync(file, 'utf8'), /^alice:\$2y\$04\$/, 'bcrypt $2y$ at the configured cost');
  t.equal(await apacheAccepts(file, 'alice', 'Grüße: ÿ'), true, 'htpasswd -vb agrees');

  fs.writeFileSync(file, '# keep me\r\nbob:x\r\nalice:old\r\ncarol:y\r\nalice:older\r\n');
  fs.chmodSync(file, 0o600);
  const inode = fs.statSync(file).ino;
  t.equal(await store.setPassword('alice', 'second'), false, 'changed, not created');
  const text = fs.readFileSync(file, 'utf8');
  t.match(text, /^# keep me\r\nbob:x\r\nalice:\$2y\$04\$[^\r\n]+\r\ncarol:y\r\n$/,
    'other lines, order and CRLF kept; the dead duplicate removed');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'mode kept');
  t.not(fs.statSync(file).ino, inode, 'replaced by rename, never written in place');
  t.equal(await apacheAccepts(file, 'alice', 'second'), true);
  t.equal(await store.checkPassword('alice', 'second'), true, 'the store sees its own write');

  t.equal(await store.deleteUser('bob'), true);
  t.equal(await store.deleteUser('bob'), false);
  t.same(await store.listUsers(), ['alice', 'carol']);
  t.same(fs.readdirSync(dir), ['new.htpasswd'], 'no temporary file left behind');

  await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5'].map((user) => store.setPassword(user, `pw-${user}`)));
  t.same((await store.listUsers()).sort(), ['alice', 'carol', 'u1', 'u2', 'u3', 'u4', 'u5'],
    'concurrent writes in one process all land');
});

void t.test('names and passwords a file cannot hold are refused', async (t) => {
  const { store } = makeStore(path.join(t.testdir(), 'x.htpasswd'));
  for (const user of ['', 'a:b', 'a\nb', ' alice', '#alice', 'x'.repeat(256)]) {
    await t.rejects(store.setPassword(user, 'pw'), { code: 'GH_ERR_AUTH_BASIC_USER_NAME' }, JSON.stringify(user));
  }
  await t.rejects(store.setPassword('alice', ''), { code: 'GH_ERR_AUTH_BASIC_PASSWORD' });
  await t.rejects(store.setPassword('alice', 'a\0b'), { code: 'GH_ERR_AUTH_BASIC_PASSWORD' });
});
