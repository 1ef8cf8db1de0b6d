import 'reflect-metadata';
import t, { type Test } from 'tap';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PermissionPolicy, PermissionRequestor } from './types';
import { DefaultPermissionPolicy } from './default-policy';
import { PermissionSystemActions } from './core-actions';
import { PERMISSION_CACHE_TTL_MS } from './permission-system';
import { openTestEnvironment, type TestEnvironmentOptions } from './testing-environment';

const wikiActions: PermissionRequestor = {
  getPermissionActions: () => ['WIKI_VIEW', 'WIKI_MODIFY', 'WIKI_DELETE',
    { name: 'WIKI_ADMIN', implies: ['WIKI_VIEW', 'WIKI_MODIFY', 'WIKI_DELETE'] }],
};

/** One fixture folder per test (t.testdir() empties the folder each time it is called). */
const folders = new WeakMap<Test, { path: string; files: number }>();

/** Opens an environment with a database of its own in the test's folder. */
async function open(t: Test, options: Partial<TestEnvironmentOptions> = {}) {
  let folder = folders.get(t);
  if (!folder) {
    folder = { path: t.testdir(), files: 0 };
    folders.set(t, folder);
  }
  folder.files += 1;
  const env = await openTestEnvironment({
    dbFile: path.join(folder.path, `trac-${folder.files}.db`),
    requestors: [new PermissionSystemActions(), wikiActions],
    ...options,
  });
  t.teardown(() => env.close());
  return env;
}

void t.test('groups nest: a member of a member of a group holds its actions', async (t) => {
  const env = await open(t);
  await env.perm.grant('alice', 'developers');
  await env.perm.grant('developers', 'staff');
  await env.perm.grant('staff', 'WIKI_MODIFY');

  t.equal(await env.perm.check('WIKI_MODIFY', 'alice'), true);
  t.equal(await env.perm.check('WIKI_MODIFY', 'developers'), true);
  t.equal(await env.perm.check('WIKI_MODIFY', 'bob'), false);
  t.same([...await env.perm.userActions('alice')], ['WIKI_MODIFY']);
});

void t.test('a cycle of groups ends and still grants what each group holds', async (t) => {
  const env = await open(t);
  await env.perm.grantAll([
    { username: 'alice', action: 'red' },
    { username: 'red', action: 'green' },
    { username: 'green', action: 'red' },
    { username: 'green', action: 'WIKI_VIEW' },
    { username: 'red', action: 'WIKI_DELETE' },
  ]);

  t.same([...await env.perm.userActions('alice')].sort(), ['WIKI_DELETE', 'WIKI_VIEW']);
  t.same([...await env.perm.userActions('green')].sort(), ['WIKI_DELETE', 'WIKI_VIEW']);
});

void t.test('anonymous applies to everyone, authenticated to every signed-in user', async (t) => {
  const env = await open(t);
  await env.perm.grant('anonymous', 'WIKI_VIEW');
  await env.perm.grant('authenticated', 'WIKI_MODIFY');

  t.equal(await env.perm.check('WIKI_VIEW', 'anonymous'), true);
  t.equal(await env.perm.check('WIKI_MODIFY', 'anonymous'), false);
  t.equal(await env.perm.check('WIKI_VIEW', 'carol'), true);
  t.equal(await env.perm.check('WIKI_MODIFY', 'carol'), true);
});

void t.test('TRAC_ADMIN implies every declared action, the core\'s and plugins\' alike', async (t) => {
  const env = await open(t);
  await env.perm.grant('root', 'TRAC_ADMIN');

  const held = await env.perm.userActions('root');
  for (const action of env.perm.allActions()) t.ok(held.has(action), action);
  t.equal(await env.perm.check('WIKI_DELETE', 'root'), true);
  t.equal(await env.perm.check('CONFIG_VIEW', 'root'), true);
  t.equal(await env.perm.check('NOBODY_DECLARES_THIS', 'root'), false);
});

void t.test('meta-actions: PERMISSION_ADMIN grants PERMISSION_GRANT and PERMISSION_REVOKE', async (t) => {
  const env = await open(t);
  await env.perm.grant('keeper', 'PERMISSION_ADMIN');
  await env.perm.grant('editor', 'WIKI_ADMIN');

  t.same([...await env.perm.userActions('keeper')].sort(),
    ['PERMISSION_ADMIN', 'PERMISSION_GRANT', 'PERMISSION_REVOKE']);
  t.equal(await env.perm.check('WIKI_DELETE', 'editor'), true);
  t.equal(await env.perm.check('TRAC_ADMIN', 'keeper'), false);
});

void t.test('the core declares its actions', async (t) => {
  const env = await open(t, { requestors: [new PermissionSystemActions()] });
  t.same([...env.perm.allActions()].sort(),
    ['CONFIG_VIEW', 'PERMISSION_ADMIN', 'PERMISSION_GRANT', 'PERMISSION_REVOKE', 'TRAC_ADMIN']);
});

void t.test('user names are compared exactly as stored', async (t) => {
  const env = await open(t);
  await env.perm.grant('Alice', 'WIKI_VIEW');
  t.equal(await env.perm.check('WIKI_VIEW', 'Alice'), true);
  t.equal(await env.perm.check('WIKI_VIEW', 'alice'), false);
});

void t.test('groups from a group provider count, nested groups of theirs too', async (t) => {
  const env = await open(t, {
    groupProviders: [{ groupsOf: async (user) => user === 'dave' ? ['@ldap-devs'] : [] }],
  });
  await env.perm.grant('@ldap-devs', 'builders');
  await env.perm.grant('builders', 'WIKI_MODIFY');

  t.equal(await env.perm.check('WIKI_MODIFY', 'dave'), true);
  t.equal(await env.perm.check('WIKI_MODIFY', 'erin'), false);
});

void t.test('a failing group provider leaves its groups out instead of failing the check', async (t) => {
  const env = await open(t, {
    groupProviders: [{ groupsOf: async () => { throw new Error('directory down'); } }],
  });
  await env.perm.grant('@ldap-devs', 'WIKI_MODIFY');
  await env.perm.grant('anonymous', 'WIKI_VIEW');

  t.equal(await env.perm.check('WIKI_VIEW', 'dave'), true);
  t.equal(await env.perm.check('WIKI_MODIFY', 'dave'), false);
});

void t.test('the policy chain: first yes or no decides, silence means no', async (t) => {
  const denyAliceWiki: PermissionPolicy = {
    name: 'NoWikiForAlice',
    checkPermission: async (action, user) => user === 'alice' && action.startsWith('WIKI_') ? false : null,
  };
  const openReadme: PermissionPolicy = {
    name: 'ReadmeForAll',
    checkPermission: async (action, _user, resource) =>
      action === 'WIKI_VIEW' && resource === 'wiki:README' ? true : null,
  };
  const silent: PermissionPolicy = { name: 'Silent', checkPermission: async () => null };
  const policies = [new DefaultPermissionPolicy(), denyAliceWiki, openReadme, silent];

  const first = await open(t, { policies,
    config: { trac: { permission_policies: 'NoWikiForAlice, DefaultPermissionPolicy, ReadmeForAll' } } });
  await first.perm.grant('alice', 'WIKI_VIEW');
  t.equal(await first.perm.check('WIKI_VIEW', 'alice'), false, 'a no before the default wins');
  t.equal(await first.perm.check('WIKI_VIEW', 'bob', 'wiki:README'), true, 'a later yes counts');
  t.equal(await first.perm.check('WIKI_VIEW', 'bob', 'wiki:Other'), false, 'nobody said yes');

  const last = await open(t, { policies,
    config: { trac: { permission_policies: 'DefaultPermissionPolicy,NoWikiForAlice' } } });
  await last.perm.grant('alice', 'WIKI_VIEW');
  t.equal(await last.perm.check('WIKI_VIEW', 'alice'), true, 'the default said yes first');

  const quiet = await open(t, { policies, config: { trac: { permission_policies: 'Silent' } } });
  await quiet.perm.grant('alice', 'WIKI_VIEW');
  t.equal(await quiet.perm.check('WIKI_VIEW', 'alice'), false, 'silence means no');
});

void t.test('a listed policy that no enabled component provides is a configuration error', async (t) => {
  const env = await open(t, { config: { trac: { permission_policies: 'DefaultPermissionPolicy, AuthzPolicy' } } });
  await t.rejects(env.perm.check('WIKI_VIEW', 'alice'), {
    code: 'GH_ERR_PERM_POLICY_MISSING',
    message: /names AuthzPolicy.*enabled policies: DefaultPermissionPolicy/,
  });
});

void t.test('an unknown action or a case-only difference is refused and nothing is written', async (t) => {
  const env = await open(t);
  await t.rejects(env.perm.grant('alice', 'WIKI_VEIW'), { code: 'GH_ERR_PERM_UNKNOWN_ACTION' });
  await t.rejects(env.perm.grantAll([
    { username: 'alice', action: 'WIKI_VIEW' },
    { username: 'alice', action: 'trac_admin' },
  ]), { code: 'GH_ERR_PERM_UNKNOWN_ACTION', message: /differs from the action TRAC_ADMIN only in case/ });
  await t.rejects(env.perm.grant('ADMINS', 'WIKI_VIEW'), { code: 'GH_ERR_PERM_INVALID_SUBJECT' });
  t.same(await env.perm.listGrants(), []);
});

void t.test('granting twice stores one row; revoke says whether there was one', async (t) => {
  const env = await open(t);
  await env.perm.grant('alice', 'WIKI_VIEW');
  t.same(await env.perm.grantAll([
    { username: 'alice', action: 'WIKI_VIEW' },
    { username: 'bob', action: 'WIKI_VIEW' },
    { username: 'bob', action: 'WIKI_VIEW' },
  ]), [{ username: 'bob', action: 'WIKI_VIEW' }]);
  t.same(await env.perm.listGrants(), [
    { username: 'alice', action: 'WIKI_VIEW' }, { username: 'bob', action: 'WIKI_VIEW' }]);

  t.equal(await env.perm.revoke('alice', 'WIKI_VIEW'), true);
  t.equal(await env.perm.revoke('alice', 'WIKI_VIEW'), false);
  t.equal(await env.perm.check('WIKI_VIEW', 'alice'), false);
});

void t.test('grants made by another process show within about a second', async (t) => {
  const dir = t.testdir();
  const dbFile = path.join(dir, 'shared.db');
  const requestors = [new PermissionSystemActions(), wikiActions];
  const writer = await openTestEnvironment({ dbFile, requestors });
  const reader = await openTestEnvironment({ dbFile, requestors });
  t.teardown(async () => {
    await writer.close();
    await reader.close();
  });

  t.equal(await reader.perm.check('WIKI_VIEW', 'alice'), false, 'nothing granted yet');
  await writer.perm.grant('alice', 'WIKI_VIEW');
  t.equal(await writer.perm.check('WIKI_VIEW', 'alice'), true, 'the granting process sees it at once');

  await sleep(PERMISSION_CACHE_TTL_MS + 100);
  t.equal(await reader.perm.check('WIKI_VIEW', 'alice'), true, 'the other process sees the grant');

  await writer.perm.revoke('alice', 'WIKI_VIEW');
  await sleep(PERMISSION_CACHE_TTL_MS + 100);
  t.equal(await reader.perm.check('WIKI_VIEW', 'alice'), false, 'and the revocation');
});

void t.test('with the cache off every check reads the database', async (t) => {
  const dir = t.testdir();
  const dbFile = path.join(dir, 'shared.db');
  const writer = await openTestEnvironment({ dbFile });
  const reader = await openTestEnvironment({ dbFile, perm: { cacheTtlMs: 0 } });
  t.teardown(async () => {
    await writer.close();
    await reader.close();
  });

  t.equal(await reader.perm.check('CONFIG_VIEW', 'alice'), false);
  await writer.perm.grant('alice', 'CONFIG_VIEW');
  t.equal(await reader.perm.check('CONFIG_VIEW', 'alice'), true);
});
