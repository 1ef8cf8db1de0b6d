/**
 * The permission system on PostgreSQL and MariaDB/MySQL (through the db-pool plugin's
 * backends): names stored exactly, case included, and the same answers as on SQLite.
 */
import 'reflect-metadata';
import t from 'tap';
import type { PermissionRequestor } from './types';
import type { ServiceKind } from '../../plugins/db-pool/test-support';
import { backends, needService, throwaway } from '../../plugins/db-pool/test/support';
import { PermissionSystemActions } from './core-actions';
import { openTestEnvironment } from './testing-environment';

const wikiActions: PermissionRequestor = {
  getPermissionActions: () => ['WIKI_VIEW', 'WIKI_MODIFY',
    { name: 'WIKI_ADMIN', implies: ['WIKI_VIEW', 'WIKI_MODIFY'] }],
};

const grants = [
  { username: 'Alice', action: 'WIKI_MODIFY' },
  { username: 'alice', action: 'WIKI_VIEW' },
  { username: 'Smith, John', action: 'staff, all' },
  { username: 'o"brien', action: "it's" },
  { username: 'zoë', action: '開発者' },
  { username: '開発者', action: 'WIKI_ADMIN' },
  { username: 'staff, all', action: 'WIKI_VIEW' },
];

for (const kind of ['postgres', 'mysql'] as ServiceKind[]) {
  void t.test(kind, async (t) => {
    if (!(await needService(t, kind))) return;
    const uri = await throwaway(t, kind, 'perm');
    const env = await openTestEnvironment({
      database: { uri, backends, envPath: t.testdir() },
      requestors: [new PermissionSystemActions(), wikiActions],
    });
    t.teardown(() => env.close());

    t.same(await env.perm.grantAll([...grants, grants[0]]), grants, 'every grant is new once');
    t.same(await env.perm.grantAll(grants), [], 'granting again adds nothing');

    const stored = await env.perm.listGrants();
    t.same(new Set(stored.map((grant) => JSON.stringify(grant))),
      new Set(grants.map((grant) => JSON.stringify(grant))), 'names come back exactly');

    t.same([...await env.perm.userActions('Alice')].sort(), ['WIKI_MODIFY'], 'Alice is not alice');
    t.same([...await env.perm.userActions('alice')].sort(), ['WIKI_VIEW']);
    t.same([...await env.perm.userActions('zoë')].sort(), ['WIKI_ADMIN', 'WIKI_MODIFY', 'WIKI_VIEW'],
      'a unicode group nests');
    t.equal(await env.perm.check('WIKI_VIEW', 'Smith, John'), true, 'a group with a comma nests');

    t.equal(await env.perm.revoke('Alice', 'WIKI_MODIFY'), true);
    t.equal(await env.perm.check('WIKI_MODIFY', 'Alice'), false);
    t.equal(await env.perm.check('WIKI_VIEW', 'alice'), true, 'the other case is untouched');
  });
}
