import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from './config';
import { defineOption } from './options';
import type { OptionSpec } from './options';
import { formatOptionTable, listOptions, undeclaredKeys } from './option-listing';

const SPECS: OptionSpec[] = [
  defineOption({ section: 'trac', name: 'base_url', type: 'text', default: '', doc: 'The URL people use.' }),
  defineOption({
    section: 'account-manager', name: 'password_store', type: 'list', default: ['HtPasswdStore'],
    doc: 'Stores that check passwords, in order.',
  }),
  defineOption({
    section: 'account-manager', name: 'lockout_limit', type: 'int', default: 5, min: 1, doc: 'Failures before lock-out.',
  }),
  defineOption({ section: 'auth', name: 'secure_cookies', type: 'bool', default: false, doc: 'HTTPS-only cookies.' }),
  defineOption({
    section: 'ldap', name: 'bind_password', type: 'text', default: '', secret: true, doc: 'Password of the bind user.',
  }),
  defineOption({
    section: 'ldap', name: 'fallback_password', type: 'text', default: '', secret: true, doc: 'Unset secret.',
  }),
  defineOption({ section: 'trac', name: 'BASE_URL', type: 'text', default: 'dup', doc: 'A second declaration.' }),
];

async function configWith(t: tap.Test, ownLines: string[], siteLines: string[] = []) {
  const root = t.testdir({ env: { conf: {} } });
  const site = path.join(root, 'site.ini');
  const own = path.join(root, 'env', 'conf', 'trac.ini');
  await fs.writeFile(site, siteLines.join('\n'));
  await fs.writeFile(own, ['[inherit]', 'file = ../../site.ini', ...ownLines].join('\n'));
  return { config: await loadConfig(own), own, site };
}

void t.test('rows: one per declared option, sorted, with values, defaults and sources', async (t) => {
  const { config, own, site } = await configWith(t, [
    '[account-manager]', 'lockout_limit = 0', '[ldap]', 'bind_password = hunter2;#', 'bind_dn = cn=admin',
    '[components]', 'acct_mgr.* = enabled',
  ], ['[trac]', 'base_url = https://example.org/', '[auth]', 'secure_cookies = yes']);
  const rows = listOptions(config, SPECS);

  t.same(rows.map((row) => `${row.section}/${row.name}`), [
    'account-manager/lockout_limit', 'account-manager/password_store', 'auth/secure_cookies',
    'ldap/bind_password', 'ldap/fallback_password', 'trac/base_url',
  ], 'sorted by section then name; a second declaration of a key is dropped');

  const byName = new Map(rows.map((row) => [row.name, row]));
  t.same(byName.get('password_store'), {
    section: 'account-manager', name: 'password_store', type: 'list', value: 'HtPasswdStore',
    default: 'HtPasswdStore', doc: 'Stores that check passwords, in order.', set: false,
  });
  t.same(byName.get('secure_cookies'), {
    section: 'auth', name: 'secure_cookies', type: 'bool', value: 'yes', default: 'disabled',
    doc: 'HTTPS-only cookies.', set: true, file: site,
  });
  t.equal(byName.get('base_url')?.file, site);
  t.equal(byName.get('bind_password')?.value, '********', 'a set secret is masked');
  t.equal(byName.get('bind_password')?.file, own);
  t.equal(byName.get('fallback_password')?.value, '', 'an empty secret shows as empty');
  t.equal(byName.get('lockout_limit')?.value, '0');
  t.equal(byName.get('lockout_limit')?.error,
    `${own} [account-manager] lockout_limit = "0": expected an integer of at least 1`);
  t.notMatch(JSON.stringify(rows), /hunter2/, 'the secret appears nowhere in the rows');

  t.same(undeclaredKeys(config, SPECS), [
    { section: 'inherit', key: 'file', file: own },
    { section: 'ldap', key: 'bind_dn', file: own },
  ], '[components] names are not options; everything else undeclared is reported');
});

void t.test('the table shows each option with its type, default and documentation', async (t) => {
  const { config, own } = await configWith(t, [
    '[account-manager]', 'lockout_limit = 0', 'password_store = HtDigestStore,', '  HtPasswdStore',
    '[ldap]', 'bind_password = hunter2',
  ]);
  const table = formatOptionTable(listOptions(config, SPECS));
  t.equal(table, [
    '[account-manager]',
    `  lockout_limit = 0  (from ${own})`,
    '      int, default: 5. Failures before lock-out.',
    `      error: ${own} [account-manager] lockout_limit = "0": expected an integer of at least 1`,
    `  password_store = HtDigestStore,`,
    `                   HtPasswdStore  (from ${own})`,
    '      list, default: HtPasswdStore. Stores that check passwords, in order.',
    '',
    '[auth]',
    '  secure_cookies = disabled  (default)',
    '      bool. HTTPS-only cookies.',
    '',
    '[ldap]',
    `  bind_password = ********  (from ${own})`,
    '      text, default: (empty). Password of the bind user.',
    '  fallback_password =  (default)',
    '      text. Unset secret.',
    '',
    '[trac]',
    '  base_url =  (default)',
    '      text. The URL people use.',
  ].join('\n'));
  t.equal(formatOptionTable([]), '');
});
