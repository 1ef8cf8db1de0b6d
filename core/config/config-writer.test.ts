import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { IniDocument } from './ini-document';
import { removeConfigValue, setConfigValue } from './config-writer';

const ORIGINAL = [
  '# -*- coding: utf-8 -*-',
  '',
  '[account-manager]',
  '; where passwords live',
  'password_store = HtPasswdStore',
  'htpasswd_file = /etc/trac/htpasswd',
  '',
  '[notification]',
  'smtp_password = s3cr;t#1',
  'smtp_enabled=true',
  '',
].join('\r\n');

async function envWithIni(t: tap.Test, text = ORIGINAL): Promise<{ conf: string; ini: string }> {
  const root = t.testdir({ conf: {} });
  const conf = path.join(root, 'conf');
  const ini = path.join(conf, 'trac.ini');
  await fs.writeFile(ini, text);
  return { conf, ini };
}

void t.test('set changes one line and leaves the rest byte for byte', async (t) => {
  const { conf, ini } = await envWithIni(t);
  await setConfigValue(ini, 'account-manager', 'password_store', 'HtDigestStore, HtPasswdStore');
  t.equal(await fs.readFile(ini, 'utf8'),
    ORIGINAL.replace('password_store = HtPasswdStore', 'password_store = HtDigestStore, HtPasswdStore'));

  await setConfigValue(ini, 'notification', 'smtp_from', 'trac@example.org');
  await setConfigValue(ini, 'logging', 'log_type', 'stderr');
  t.equal(await fs.readFile(ini, 'utf8'), ORIGINAL
    .replace('password_store = HtPasswdStore', 'password_store = HtDigestStore, HtPasswdStore')
    .replace('smtp_enabled=true\r\n', 'smtp_enabled=true\r\nsmtp_from=trac@example.org\r\n') +
    '\r\n[logging]\r\nlog_type = stderr\r\n');
  t.same(await fs.readdir(conf), ['trac.ini'], 'no temporary file is left behind');
});

void t.test('remove drops the key and reports whether there was one', async (t) => {
  const { ini } = await envWithIni(t);
  t.equal(await removeConfigValue(ini, 'account-manager', 'HTPASSWD_FILE'), true);
  t.equal(await fs.readFile(ini, 'utf8'), ORIGINAL.replace('htpasswd_file = /etc/trac/htpasswd\r\n', ''));

  const before = await fs.stat(ini);
  t.equal(await removeConfigValue(ini, 'account-manager', 'htpasswd_file'), false);
  t.equal(await removeConfigValue(ini, 'no-such-section', 'x'), false);
  t.equal((await fs.stat(ini)).ino, before.ino, 'nothing is written when nothing changes');
});

void t.test('setting the value already there writes nothing', async (t) => {
  const { ini } = await envWithIni(t);
  const before = await fs.stat(ini);
  await setConfigValue(ini, 'notification', 'smtp_password', 's3cr;t#1');
  const after = await fs.stat(ini);
  t.equal(after.ino, before.ino);
  t.equal(after.mtimeMs, before.mtimeMs);
});

void t.test('the file is replaced whole and keeps its permission bits', async (t) => {
  for (const mode of [0o600, 0o640, 0o664, 0o444]) {
    const { ini } = await envWithIni(t);
    await fs.chmod(ini, mode);
    const before = await fs.stat(ini);
    const oldHandle = await fs.open(ini, 'r');

    await setConfigValue(ini, 'account-manager', 'password_store', 'LdapStore');
    const after = await fs.stat(ini);
    t.equal((after.mode & 0o7777).toString(8), mode.toString(8), `mode ${mode.toString(8)} kept`);
    t.not(after.ino, before.ino, 'a new file took the old one\'s place');
    t.equal(await oldHandle.readFile('utf8'), ORIGINAL, 'a reader that opened the old file still reads it whole');
    await oldHandle.close();
  }
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

void t.test('the owner is kept when the writer may set it', {
  skip: isRoot ? false : 'giving a file another owner needs root; this run is not root',
}, async (t) => {
  const { ini } = await envWithIni(t);
  await fs.chown(ini, 4321, 4322);
  await setConfigValue(ini, 'account-manager', 'password_store', 'LdapStore');
  const after = await fs.stat(ini);
  t.same([after.uid, after.gid], [4321, 4322]);
});

void t.test('a symbolic link stays a link and its target is updated', async (t) => {
  const root = t.testdir({ conf: {}, shared: {} });
  const real = path.join(root, 'shared', 'real.ini');
  const ini = path.join(root, 'conf', 'trac.ini');
  await fs.writeFile(real, ORIGINAL);
  await fs.symlink('../shared/real.ini', ini);

  await setConfigValue(ini, 'account-manager', 'password_store', 'LdapStore');
  t.ok((await fs.lstat(ini)).isSymbolicLink());
  t.equal(IniDocument.parse(await fs.readFile(real, 'utf8'), real).get('account-manager', 'password_store'),
    'LdapStore');
  t.same(await fs.readdir(path.join(root, 'shared')), ['real.ini']);
});

void t.test('edits from one process never lose each other', async (t) => {
  const { ini } = await envWithIni(t);
  await Promise.all(Array.from({ length: 25 }, (_, index) =>
    setConfigValue(ini, 'many', `key${index}`, `value ${index}`)));
  const document = IniDocument.parse(await fs.readFile(ini, 'utf8'), ini);
  t.equal(document.entries('many').length, 25);
  t.equal(document.get('many', 'key24'), 'value 24');
  t.equal(document.get('notification', 'smtp_password'), 's3cr;t#1');
});

void t.test('a reader during a run of writes always sees a whole file', async (t) => {
  const big = 'x'.repeat(200_000);
  const { ini } = await envWithIni(t, `[data]\nbulk = ${big}\ncounter = 0\ntail = end\n`);
  let writing = true;
  let reads = 0;
  const reader = (async () => {
    while (writing) {
      const document = IniDocument.parse(await fs.readFile(ini, 'utf8'), ini);
      if (document.get('data', 'tail') !== 'end' || document.get('data', 'bulk')?.length !== big.length) {
        throw new Error(`read ${reads} saw a partial file`);
      }
      reads += 1;
    }
  })();
  for (let round = 1; round <= 40; round += 1) {
    await setConfigValue(ini, 'data', 'counter', String(round));
  }
  writing = false;
  await reader;
  t.ok(reads > 0, `the reader read ${reads} times, each one whole`);
  t.equal(IniDocument.parse(await fs.readFile(ini, 'utf8'), ini).get('data', 'counter'), '40');
});

void t.test('errors: missing file, broken file, refused names; nothing written', async (t) => {
  const root = t.testdir({ conf: {} });
  const missing = path.join(root, 'conf', 'trac.ini');
  await t.rejects(setConfigValue(missing, 'a', 'b', 'c'), {
    code: 'GH_ERR_CONFIG_UNREADABLE', message: new RegExp(`${missing}: ENOENT`),
  });

  await fs.writeFile(missing, '[a]\nx = 1\nnot an option line\n');
  await t.rejects(setConfigValue(missing, 'a', 'x', '2'), { code: 'GH_ERR_CONFIG_SYNTAX', message: /line 3/ });
  t.equal(await fs.readFile(missing, 'utf8'), '[a]\nx = 1\nnot an option line\n');

  await fs.writeFile(missing, Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x78, 0x3d, 0xff, 0x0a]));
  await t.rejects(setConfigValue(missing, 'a', 'x', '2'), { code: 'GH_ERR_CONFIG_SYNTAX', message: /line 2.*UTF-8/ });
  t.same(await fs.readFile(missing), Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x78, 0x3d, 0xff, 0x0a]),
    'a file we cannot read as UTF-8 is never rewritten');

  await fs.writeFile(missing, '[a]\nx = 1\n');
  await t.rejects(setConfigValue(missing, 'a', 'bad=key', '2'), { code: 'GH_ERR_CONFIG_EDIT' });
  t.equal(await fs.readFile(missing, 'utf8'), '[a]\nx = 1\n');
  t.same(await fs.readdir(path.join(root, 'conf')), ['trac.ini']);
});
