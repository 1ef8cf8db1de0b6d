/**
 * The store's decision equals Apache's: for every fixture user, for fresh hashes of every format
 * htpasswd writes, and for tricky passwords, `verifyStoredHash` answers what `htpasswd -vb` does.
 */
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { verifyStoredHash } from '../password-hash';
import { bsdiCrypt } from '../hashes/des-crypt';
import { md5Crypt } from '../hashes/md5-crypt';
import { shaCrypt } from '../hashes/sha-crypt';
import {
  FIXTURE_PASSWORDS, apacheAccepts, apacheHashLine, fixturesDir, htpasswdMissing, readFixtureHashes,
} from './helpers';

const skip = htpasswdMissing();
const strict = { allowPlaintext: false };

/** Candidate passwords for a user whose right password is `right`. */
function candidates(right: string, stored: string): string[] {
  const others = Object.values(FIXTURE_PASSWORDS);
  return [...new Set([
    right, '', 'x', `${right}x`, `${right} `, ` ${right}`, right.slice(0, -1), right.toUpperCase(),
    right.slice(0, 8), right.slice(0, 7), right.slice(0, 72), right.slice(0, 71), stored,
    ...others,
  ])];
}

async function compareAll(t: Test, file: string, cases: Array<[string, string, string]>) {
  for (const [user, stored, password] of cases) {
    const apache = await apacheAccepts(file, user, password);
    const ours = await verifyStoredHash(password, stored, strict);
    t.equal(ours, apache, `${user} with ${JSON.stringify(password.length > 24
      ? `${password.slice(0, 12)}...(${password.length})` : password)}: htpasswd says ${apache}`);
  }
}

void t.test('every fixture user, right and wrong passwords, decided as htpasswd -vb', { skip },
  async (t) => {
    const file = path.join(fixturesDir(), 'htpasswd');
    const hashes = readFixtureHashes();
    t.same([...hashes.keys()].sort(), Object.keys(FIXTURE_PASSWORDS).sort(), 'the fixture users');

    const cases: Array<[string, string, string]> = [];
    for (const [user, stored] of hashes) {
      for (const password of candidates(FIXTURE_PASSWORDS[user], stored)) cases.push([user, stored, password]);
    }
    await compareAll(t, file, cases);

    // The fixture README's promises, spelled out.
    const check = (user: string, password: string) =>
      verifyStoredHash(password, hashes.get(user) as string, strict);
    t.equal(await check('dave', 'dave1234'), true, 'DES reads 8 characters');
    t.equal(await check('ivan', 'x'.repeat(72)), true, 'bcrypt reads 72 bytes');
    t.equal(await check('ivan', 'x'.repeat(71)), false, '71 bytes are not enough');
    t.equal(await check('judy', 'a:b'), false, 'colons are part of the password');
    t.equal(await check('grace', 'plain-text'), false, 'plain text refused by default');
    t.equal(await verifyStoredHash('plain-text', hashes.get('grace') as string,
      { allowPlaintext: true }), true, 'plain text accepted with allow_plaintext');
    for (const [user, stored] of hashes) {
      t.equal(await verifyStoredHash(stored, stored, { allowPlaintext: true }), user === 'grace',
        `${user}: the stored value itself is no password (unless it is plain text)`);
    }
  });

const TRICKY = [
  'Grüße, 世界', 'a:b:c', ':leading', 'trailing:', 'with space', ' padded ', 'tab\there',
  'quote"s and \\ backslash', '#not-a-comment', 'x'.repeat(72), 'x'.repeat(73), 'y'.repeat(200),
  '8chars!!', '8chars!!plus', 'é', '€uro-ÿ', 'z',
];

const FORMATS: Array<[string, string[]]> = [
  ['bcrypt cost 4', ['-B', '-C', '4']],
  ['apr1 md5', ['-m']],
  ['{SHA}', ['-s']],
  ['DES crypt', ['-d']],
  ['SHA-256 crypt', ['-2']],
  ['SHA-512 crypt', ['-5']],
  ['SHA-256 crypt, 1000 rounds', ['-2', '-r', '1000']],
  ['SHA-512 crypt, 5000 rounds written out', ['-5', '-r', '5000']],
];

void t.test('fresh hashes of every htpasswd format, tricky passwords', { skip }, async (t) => {
  const dir = t.testdir();
  for (const [name, flags] of FORMATS) {
    await t.test(name, async (t) => {
      const lines: string[] = [];
      const cases: Array<[string, string, string]> = [];
      TRICKY.forEach((password, index) => {
        const user = `u${index}`;
        const line = apacheHashLine(flags, user, password);
        const stored = line.slice(line.indexOf(':') + 1);
        lines.push(line);
        const wrong = [password.slice(0, -1), `${password}!`, TRICKY[(index + 1) % TRICKY.length], stored];
        for (const candidate of [password, ...wrong]) cases.push([user, stored, candidate]);
      });
      const file = path.join(dir, `${flags.join('')}.htpasswd`);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      await compareAll(t, file, cases);
    });
  }
});

void t.test('hash variants other tools write and malformed ones', { skip }, async (t) => {
  const dir = t.testdir();
  const bcrypt = apacheHashLine(['-B', '-C', '4'], 'u', 'Grüße ÿ').slice(2);
  const sha = shaCrypt(Buffer.from('secret'), '$5$rounds=1000$saltsalt$') as string;
  const variants: Array<[string, string]> = [
    ['$2a$ prefix', bcrypt.replace('$2y$', '$2a$')],
    ['$2b$ prefix', bcrypt.replace('$2y$', '$2b$')],
    ['$2x$ prefix', bcrypt.replace('$2y$', '$2x$')],
    ['bcrypt, non-canonical last salt character',
      bcrypt.slice(0, 28) + (bcrypt[28] === 'u' ? 'v' : 'u') + bcrypt.slice(29)],
    ['bcrypt, cost 03', bcrypt.replace('$04$', '$03$')],
    ['bcrypt, cut short', bcrypt.slice(0, -1)],
    ['$1$ md5-crypt (system crypt)', md5Crypt(Buffer.from('secret'), '$1$abcdefgh$') as string],
    ['$1$ md5-crypt, 10-character salt', md5Crypt(Buffer.from('secret'), '$1$abcdefghij$') as string],
    ['apr1, salt longer than 8', '$apr1$abcdefghi$DObwA1OHmb3Pova8uRxfU0'],
    ['SHA-256 crypt, rounds=1000 explicit', sha],
    ['SHA-256 crypt, rounds=999', sha.replace('rounds=1000', 'rounds=999')],
    ['SHA-256 crypt, rounds=01000', sha.replace('rounds=1000', 'rounds=01000')],
    ['SHA-256 crypt, empty salt', shaCrypt(Buffer.from('secret'), '$5$$') as string],
    ['SHA-512 crypt, 20-character salt', (shaCrypt(Buffer.from('secret'),
      '$6$abcdefghijklmnopqrst$') as string).replace('$abcdefghijklmnop$', '$abcdefghijklmnopqrst$')],
    ['{SHA} without padding', '{SHA}tvRYxZ90euHhTV+mXlnRmD73S7c'],
    ['{SSHA} (LDAP style)', '{SSHA}tvRYxZ90euHhTV+mXlnRmD73S7c='],
    ['DES, invalid salt', '!!cLqnioFQfRg'],
    ['yescrypt ($y$)', '$y$j9T$abc$def'],
    ['BSDi extended DES', '_J9..abcd5WNy9VUCfAY'],
    ['BSDi extended DES, long UTF-8 password',
      bsdiCrypt(Buffer.from('Grüße ÿ and more than eight bytes'), '_J9..wxyz') as string],
    ['BSDi extended DES, zero count', '_....abcd5WNy9VUCfAY'],
    ['empty', ''],
  ];
  for (const [name, stored] of variants) {
    const file = path.join(dir, 'variant.htpasswd');
    fs.writeFileSync(file, `u:${stored}\n`);
    for (const password of ['secret', 'Grüße ÿ', 'Grüße', stored, 'x',
      'Grüße ÿ and more than eight bytes', 'Grüße ÿ and more than eight byteS']) {
      const apache = await apacheAccepts(file, 'u', password);
      t.equal(await verifyStoredHash(password, stored, strict), apache,
        `${name} with ${JSON.stringify(password)}: htpasswd says ${apache}`);
    }
  }

  // The documented limit: a BSDi count above MAX_BSDI_ITERATIONS is refused here, where the
  // system crypt(3) would spend seconds on it.
  t.equal(await verifyStoredHash('x', '_/./.abcd5WNy9VUCfAY', strict), false,
    'BSDi DES with 4097 iterations is refused');
});
