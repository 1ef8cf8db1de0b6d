import t from 'tap';
import { ActionCatalog } from './action-catalog';
import { grantProblem, isActionName } from './action-names';
import { resolveSubjects } from './permission-system';

void t.test('upper-case names are actions, anything else a user or group', async (t) => {
  for (const name of ['WIKI_VIEW', 'TRAC_ADMIN', 'X2', 'ÉDITION']) t.ok(isActionName(name), name);
  for (const name of ['alice', 'Developers', '@admins', '123', '', 'trac_admin', 'straße']) {
    t.notOk(isActionName(name), name);
  }
});

void t.test('meta-actions expand transitively and a cycle among them ends', async (t) => {
  const catalog = new ActionCatalog([
    'WIKI_VIEW', 'WIKI_MODIFY',
    { name: 'WIKI_ADMIN', implies: ['WIKI_MODIFY', 'WIKI_VIEW'] },
    { name: 'LOOP_A', implies: ['LOOP_B'] },
    { name: 'LOOP_B', implies: ['LOOP_A', 'WIKI_ADMIN'] },
  ]);
  t.same([...catalog.expand(['WIKI_ADMIN'])].sort(), ['WIKI_ADMIN', 'WIKI_MODIFY', 'WIKI_VIEW']);
  t.same([...catalog.expand(['LOOP_A'])].sort(),
    ['LOOP_A', 'LOOP_B', 'WIKI_ADMIN', 'WIKI_MODIFY', 'WIKI_VIEW']);
});

void t.test('TRAC_ADMIN is always declared and implies every declared action', async (t) => {
  const catalog = new ActionCatalog(['WIKI_VIEW', { name: 'X_ADMIN', implies: ['X_USE'] }]);
  t.same([...catalog.names()].sort(), ['TRAC_ADMIN', 'WIKI_VIEW', 'X_ADMIN']);
  t.same([...catalog.expand(['TRAC_ADMIN'])].sort(), ['TRAC_ADMIN', 'WIKI_VIEW', 'X_ADMIN', 'X_USE']);
});

void t.test('two declarations of one meta-action imply the union', async (t) => {
  const catalog = new ActionCatalog([{ name: 'M', implies: ['A'] }, { name: 'M', implies: ['B'] }, 'A', 'B']);
  t.same([...catalog.expand(['M'])].sort(), ['A', 'B', 'M']);
});

void t.test('a granted action nobody declares is still held', async (t) => {
  t.same([...new ActionCatalog([]).expand(['OLD_PLUGIN_VIEW'])], ['OLD_PLUGIN_VIEW']);
});

void t.test('subjects: anonymous for all, authenticated for signed-in users, nested groups', async (t) => {
  const grants = [
    { username: 'alice', action: 'developers' },
    { username: 'developers', action: 'staff' },
    { username: 'staff', action: 'developers' },
    { username: 'staff', action: 'WIKI_VIEW' },
    { username: '@ldap-team', action: 'reviewers' },
  ];
  t.same([...resolveSubjects('alice', [], grants)].sort(),
    ['alice', 'anonymous', 'authenticated', 'developers', 'staff']);
  t.same([...resolveSubjects('anonymous', [], grants)].sort(), ['anonymous']);
  t.same([...resolveSubjects('bob', ['@ldap-team'], grants)].sort(),
    ['@ldap-team', 'anonymous', 'authenticated', 'bob', 'reviewers']);
});

void t.test('grant checks: unknown action, case-only difference, reserved subject', async (t) => {
  const declared = new Set(['TRAC_ADMIN', 'WIKI_VIEW']);
  t.equal(grantProblem({ username: 'alice', action: 'WIKI_VIEW' }, declared), undefined);
  t.equal(grantProblem({ username: 'alice', action: 'developers' }, declared), undefined);
  t.match(grantProblem({ username: 'alice', action: 'WIKI_VEIW' }, declared),
    { code: 'GH_ERR_PERM_UNKNOWN_ACTION', message: /^WIKI_VEIW is not a valid action/ });
  t.match(grantProblem({ username: 'alice', action: 'trac_admin' }, declared),
    { code: 'GH_ERR_PERM_UNKNOWN_ACTION', message: /differs from the action TRAC_ADMIN only in case/ });
  t.match(grantProblem({ username: 'ADMINS', action: 'WIKI_VIEW' }, declared),
    { code: 'GH_ERR_PERM_INVALID_SUBJECT' });
  t.match(grantProblem({ username: '', action: 'WIKI_VIEW' }, declared),
    { code: 'GH_ERR_PERM_INVALID_SUBJECT' });
});
