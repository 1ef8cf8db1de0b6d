import 'reflect-metadata';
import t, { type Test } from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../cli/types';
import type { PermissionRequestor } from './types';
import { PermissionAdminCommand } from './permission-command';
import { PermissionSystemActions } from './core-actions';
import { openTestEnvironment, type TestEnvironment } from './testing-environment';

const wikiActions: PermissionRequestor = {
  getPermissionActions: () => ['WIKI_VIEW', 'WIKI_MODIFY',
    { name: 'WIKI_ADMIN', implies: ['WIKI_VIEW', 'WIKI_MODIFY'] }],
};

/** One fixture folder per test (t.testdir() empties the folder each time it is called). */
const folders = new WeakMap<Test, string>();
function folderOf(t: Test): string {
  let folder = folders.get(t);
  if (!folder) {
    folder = t.testdir();
    folders.set(t, folder);
  }
  return folder;
}

async function open(t: Test, file = 'trac.db'): Promise<TestEnvironment> {
  const env = await openTestEnvironment({
    dbFile: path.join(folderOf(t), file),
    requestors: [new PermissionSystemActions(), wikiActions],
  });
  t.teardown(() => env.close());
  return env;
}

/** Runs `permission ARGS` in-process and collects what it printed. */
async function permission(env: TestEnvironment, args: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readStdin: async () => stdin,
    promptSecret: async () => { throw new Error('no terminal'); },
  };
  const status = await new PermissionAdminCommand().run(env, args, io);
  return { status, out, err };
}

void t.test('list shows every grant as a table, then the declared actions', async (t) => {
  const env = await open(t);
  await permission(env, ['add', 'anonymous', 'WIKI_VIEW']);
  await permission(env, ['add', 'admin', 'TRAC_ADMIN']);
  const { status, out } = await permission(env, ['list']);
  t.equal(status, 0);
  t.same(out, [
    'User       Action',
    '---------------------',
    'admin      TRAC_ADMIN',
    'anonymous  WIKI_VIEW',
    '',
    'Available actions:',
    ' CONFIG_VIEW, PERMISSION_ADMIN, PERMISSION_GRANT, PERMISSION_REVOKE,',
    ' TRAC_ADMIN, WIKI_ADMIN, WIKI_MODIFY, WIKI_VIEW',
    '',
  ]);
});

void t.test('list USER shows what the user holds through groups and meta-actions', async (t) => {
  const env = await open(t);
  await permission(env, ['add', 'alice', 'writers']);
  await permission(env, ['add', 'writers', 'WIKI_ADMIN']);
  const { out } = await permission(env, ['list', 'alice']);
  t.same(out.slice(0, 5), [
    'User   Action',
    '------------------',
    'alice  WIKI_ADMIN',
    'alice  WIKI_MODIFY',
    'alice  WIKI_VIEW',
  ]);
});

void t.test('add grants several actions and groups in one call', async (t) => {
  const env = await open(t);
  const result = await permission(env, ['add', 'bob', 'WIKI_VIEW', 'WIKI_MODIFY', 'developers']);
  t.same(result, { status: 0, out: [], err: [] });
  t.same(await env.perm.listGrants(), [
    { username: 'bob', action: 'WIKI_MODIFY' },
    { username: 'bob', action: 'WIKI_VIEW' },
    { username: 'bob', action: 'developers' },
  ]);
});

void t.test('adding a grant that exists is reported, and the others are still added', async (t) => {
  const env = await open(t);
  await permission(env, ['add', 'bob', 'WIKI_VIEW']);
  const result = await permission(env, ['add', 'bob', 'WIKI_VIEW', 'WIKI_MODIFY']);
  t.same(result, { status: 0, out: ['The user bob already has permission WIKI_VIEW.'], err: [] });
  t.equal((await env.perm.listGrants()).length, 2);
});

void t.test('an unknown action is refused with status 2 and nothing written', async (t) => {
  const env = await open(t);
  await t.rejects(permission(env, ['add', 'bob', 'WIKI_VIEW', 'WIKI_VEIW']), {
    code: 'GH_ERR_CLI_USAGE', status: 2,
    message: 'WIKI_VEIW is not a valid action (no enabled component declares it); nothing was written',
  });
  t.same(await env.perm.listGrants(), []);
});

void t.test('a name differing from an action only in case is refused with nothing written', async (t) => {
  const env = await open(t);
  await t.rejects(permission(env, ['add', 'bob', 'WIKI_VIEW', 'trac_admin', 'Wiki_Modify']), {
    code: 'GH_ERR_CLI_USAGE', status: 2,
    message: '2 problems; nothing was written:\n'
      + '  trac_admin is not a valid action (it differs from the action TRAC_ADMIN only in case;'
      + ' group names must not look like actions)\n'
      + '  Wiki_Modify is not a valid action (it differs from the action WIKI_MODIFY only in case;'
      + ' group names must not look like actions)',
  });
  t.same(await env.perm.listGrants(), []);
});

void t.test('an upper-case user name is refused: those are reserved for actions', async (t) => {
  const env = await open(t);
  await t.rejects(permission(env, ['add', 'ADMINS', 'WIKI_VIEW']), {
    code: 'GH_ERR_CLI_USAGE',
    message: /^"ADMINS" cannot hold permissions: upper-case names are reserved for actions/,
  });
  t.same(await env.perm.listGrants(), []);
});

void t.test('remove takes USER|* and ACTION|*', async (t) => {
  const env = await open(t);
  await permission(env, ['add', 'alice', 'WIKI_VIEW', 'WIKI_MODIFY', 'writers']);
  await permission(env, ['add', 'bob', 'WIKI_VIEW', 'WIKI_MODIFY']);

  t.equal((await permission(env, ['remove', 'alice', 'WIKI_MODIFY'])).status, 0);
  t.equal((await permission(env, ['remove', '*', 'WIKI_VIEW'])).status, 0);
  t.same(await env.perm.listGrants(), [
    { username: 'alice', action: 'writers' }, { username: 'bob', action: 'WIKI_MODIFY' }]);

  t.equal((await permission(env, ['remove', 'bob', '*'])).status, 0);
  t.same(await env.perm.listGrants(), [{ username: 'alice', action: 'writers' }]);
});

void t.test('removing what was never granted is refused and removes nothing', async (t) => {
  const env = await open(t);
  await permission(env, ['add', 'writers', 'WIKI_MODIFY']);
  await permission(env, ['add', 'alice', 'writers', 'WIKI_VIEW']);

  await t.rejects(permission(env, ['remove', 'alice', 'WIKI_VIEW', 'WIKI_MODIFY', 'CONFIG_VIEW']), {
    code: 'GH_ERR_CLI_USAGE',
    message: '2 problems; nothing was written:\n'
      + '  Cannot remove permission WIKI_MODIFY for user alice: it is granted through a '
      + 'meta-permission or a group\n'
      + '  Cannot remove permission CONFIG_VIEW for user alice: the user has not been granted it',
  });
  t.equal((await env.perm.listGrants()).length, 3);
});

const trickyGrants = [
  { username: 'Smith, John', action: 'WIKI_VIEW' },
  { username: 'Smith, John', action: 'staff, all' },
  { username: 'o"brien', action: 'say "hi"' },
  { username: 'zoë', action: '開発者' },
  { username: '開発者', action: 'WIKI_ADMIN' },
  { username: 'anonymous', action: 'WIKI_VIEW' },
  { username: 'admin', action: 'TRAC_ADMIN' },
];

void t.test('export writes one CSV record per user, quoting where needed', async (t) => {
  const env = await open(t);
  await env.perm.grantAll(trickyGrants);
  const { status, out } = await permission(env, ['export']);
  t.equal(status, 0);
  t.same(out, [
    '"Smith, John",WIKI_VIEW,"staff, all"',
    'admin,TRAC_ADMIN',
    'anonymous,WIKI_VIEW',
    '"o""brien","say ""hi"""',
    'zoë,開発者',
    '開発者,WIKI_ADMIN',
  ]);
});

void t.test('export to a file and import into another environment round-trips every grant', async (t) => {
  const source = await open(t, 'source.db');
  await source.perm.grantAll(trickyGrants);
  const file = path.join(folderOf(t), 'grants.csv');
  t.equal((await permission(source, ['export', file])).status, 0);

  const target = await open(t, 'target.db');
  await target.perm.grant('carol', 'WIKI_MODIFY');
  t.equal((await permission(target, ['import', file])).status, 0);
  const imported = (await target.perm.listGrants()).filter((grant) => grant.username !== 'carol');
  t.same(imported, await source.perm.listGrants(), 'every grant arrived unchanged');
  t.ok(await target.perm.check('WIKI_MODIFY', 'carol'), 'grants already there stay');

  t.equal((await permission(target, ['import', file])).status, 0, 'importing again adds nothing');
  t.equal((await target.perm.listGrants()).length, trickyGrants.length + 1);
});

void t.test('import reads standard input with - or no FILE, and accepts CRLF and padding', async (t) => {
  const env = await open(t);
  const csv = '\uFEFFalice,WIKI_VIEW,,\r\nbob,WIKI_MODIFY\r\n';
  t.equal((await permission(env, ['import', '-'], csv)).status, 0);
  t.equal((await permission(env, ['import'], 'carol,writers\n')).status, 0);
  t.same(await env.perm.listGrants(), [
    { username: 'alice', action: 'WIKI_VIEW' },
    { username: 'bob', action: 'WIKI_MODIFY' },
    { username: 'carol', action: 'writers' },
  ]);
});

void t.test('import checks every line first: one bad line and nothing is written', async (t) => {
  const env = await open(t);
  const file = path.join(folderOf(t), 'bad.csv');
  await fs.writeFile(file, 'alice,WIKI_VIEW\nbob\ncarol,trac_admin\nDAVE,WIKI_VIEW\n');
  const error = await permission(env, ['import', file]).catch((caught: Error) => caught);
  t.match(error, { code: 'GH_ERR_CLI_USAGE', status: 2 });
  t.same((error as Error).message.split(file).join('FILE').split('\n'), [
    '3 problems; nothing was written:',
    '  FILE line 2: expected USER,ACTION[,ACTION...]',
    '  FILE line 3: trac_admin is not a valid action (it differs from the action TRAC_ADMIN '
      + 'only in case; group names must not look like actions)',
    '  FILE line 4: "DAVE" cannot hold permissions: upper-case names are reserved for actions',
  ]);
  t.same(await env.perm.listGrants(), []);
});

void t.test('import refuses malformed CSV and a file that is not UTF-8', async (t) => {
  const env = await open(t);
  await t.rejects(permission(env, ['import'], 'alice,WIKI_VIEW\n"bob,WIKI_VIEW\n'), {
    code: 'GH_ERR_CLI_USAGE',
    message: 'cannot import from standard input line 2: a quoted field never ends; nothing was written',
  });

  const file = path.join(folderOf(t), 'latin1.csv');
  await fs.writeFile(file, Buffer.from([0x7a, 0x6f, 0xeb, 0x2c, 0x41]));
  await t.rejects(permission(env, ['import', file]), { code: 'GH_ERR_CLI_USAGE', message: /cannot import from/ });
  t.same(await env.perm.listGrants(), []);
});

void t.test('wrong arguments are usage errors (exit status 2)', async (t) => {
  const env = await open(t);
  for (const args of [[], ['grant'], ['add', 'bob'], ['remove', 'bob'], ['list', 'a', 'b']]) {
    await t.rejects(permission(env, args), { code: 'GH_ERR_CLI_USAGE', status: 2 }, args.join(' '));
  }
});
