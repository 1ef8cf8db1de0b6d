/**
 * gatehouse-admin as a site owner uses it: initenv, permission, config, component, session,
 * upgrade and deploy, with --help on each. Most runs are in-process (output collected); the real
 * `node bin/gatehouse-admin.js` is run where the exit status and stderr are the point.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type RunningServer } from '../core/server-app';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import {
  admin, adminProcess, eventually, freePort, installPlugin, send, ServerProcess, signIn, whoami,
} from './fixtures/core-kit';

const servers: RunningServer[] = [];
t.teardown(async () => {
  for (const server of servers) await server.close();
  await cleanup();
});

async function exists(file: string): Promise<boolean> {
  return !!(await fs.stat(file).catch(() => undefined));
}

void t.test('initenv lays out a new environment', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const target = path.join(parent, 'fresh');
  const run = await admin([target, 'initenv', 'Fresh Project']);
  t.equal(run.status, 0, run.error?.message ?? 'initenv succeeded');
  t.match(run.out, `Created environment ${target}`);
  for (const folder of ['conf/trac.ini', 'db', 'htdocs', 'files/attachments', 'plugins', 'log']) {
    t.ok(await exists(path.join(target, folder)), `${folder} exists`);
  }
  t.ok(await exists(path.join(target, 'db', 'trac.db')), 'the SQLite database is made');
  const ini = await fs.readFile(path.join(target, 'conf', 'trac.ini'), 'utf8');
  t.match(ini, /^name = Fresh Project$/m);
  t.match(ini, /^database = sqlite:db\/trac\.db$/m);
  t.equal((await admin([target, 'config', 'get', 'project', 'name'])).out, 'Fresh Project');
  t.same(await fs.readdir(parent), ['fresh'], 'nothing else is left in the parent folder');

  const empty = path.join(parent, 'empty');
  await fs.mkdir(empty);
  t.equal((await admin([empty, 'initenv'])).status, 0, 'an existing empty folder is fine');
  t.match(await fs.readFile(path.join(empty, 'conf', 'trac.ini'), 'utf8'), /^name = empty$/m,
    'the project name defaults to the folder name');
});

void t.test('a failing initenv leaves nothing behind', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const cases: Array<[string, string]> = [
    ['a malformed connection string', 'bogus://nowhere'],
    ['a PostgreSQL server that is not there', 'postgres://postgres@127.0.0.1:1/gh_test_absent'],
    ['a MySQL server that is not there', 'mysql://root@127.0.0.1:1/gh_test_absent'],
  ];
  for (const [what, uri] of cases) {
    const target = path.join(parent, 'doomed');
    const run = await admin([target, 'initenv', 'Doomed', uri]);
    t.equal(run.status, 1, `${what}: refused`);
    t.notOk(await exists(target), `${what}: no folder made`);
    t.same(await fs.readdir(parent), [], `${what}: no staging folder left either`);
  }

  const real = await adminProcess([path.join(parent, 'doomed'), 'initenv', 'Doomed', 'bogus://nowhere']);
  t.equal(real.status, 1, 'the real command exits 1');
  t.equal(real.stderr.trim().split('\n').length, 1, 'with a one-line reason');
  t.match(real.stderr, /^gatehouse-admin: .*bogus:\/\/nowhere/);
  t.notMatch(real.stderr, /\n\s+at /, 'and no stack trace');

  const occupied = path.join(parent, 'occupied');
  await fs.mkdir(occupied);
  await fs.writeFile(path.join(occupied, 'keep.txt'), 'mine\n');
  const refused = await adminProcess([occupied, 'initenv']);
  t.not(refused.status, 0, 'a non-empty folder is refused');
  t.equal(refused.stderr.trim().split('\n').length, 1, 'with a one-line reason');
  t.match(refused.stderr, /already exists and is not empty/);
  t.same(await fs.readdir(occupied), ['keep.txt'], 'and left exactly as it was');
  t.same((await fs.readdir(parent)).sort(), ['occupied'], 'no staging folder left');
});

async function envWithGrants(name: string): Promise<string> {
  const parent = await tempDir('gh-core-cli-');
  const env = await makeEnvironment(parent, name, { projectName: `Project ${name}` });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  return env;
}

function grantsOf(listing: string): string[] {
  const lines = listing.split('\n');
  const end = lines.findIndex((line) => line.startsWith('Available actions'));
  return lines.slice(0, end).map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells.length === 2 && /[a-z]/.test(cells[0]) && cells[0] !== 'User' && !/^-+$/.test(cells[0]))
    .map((cells) => `${cells[0]} ${cells[1]}`).sort();
}

void t.test('permission add, list and remove, refusing unknown actions whole', async (t) => {
  const env = await envWithGrants('perm');
  t.equal((await admin([env, 'permission', 'add', 'alice', 'TEST_VIEW', 'CONFIG_VIEW'])).status, 0,
    'several actions in one call');
  t.equal((await admin([env, 'permission', 'add', 'developers', 'TEST_VIEW'])).status, 0);
  t.equal((await admin([env, 'permission', 'add', 'bob', 'developers'])).status, 0, 'a group grant');

  const list = await admin([env, 'permission', 'list']);
  t.equal(list.status, 0);
  t.same(grantsOf(list.out), ['alice CONFIG_VIEW', 'alice TEST_VIEW', 'bob developers', 'developers TEST_VIEW']);
  t.match(list.out, /Available actions:[\s\S]*TEST_VIEW/, 'the plugin\'s action is listed as available');
  t.match((await admin([env, 'permission', 'list', 'bob'])).out, /bob\s+TEST_VIEW/, 'bob holds TEST_VIEW through his group');

  const before = grantsOf(list.out);
  const refusals: Array<[string, string[]]> = [
    ['an unknown action', ['carol', 'NO_SUCH_ACTION']],
    ['an unknown action after a good one', ['carol', 'TEST_VIEW', 'NO_SUCH_ACTION']],
    ['an action in the wrong case', ['carol', 'test_view']],
    ['an action in mixed case', ['carol', 'Test_View']],
  ];
  for (const [what, args] of refusals) {
    const run = await admin([env, 'permission', 'add', ...args]);
    t.equal(run.status, 2, `${what}: exit status 2`);
    t.match(run.err, args[args.length - 1], `${what}: the error names it`);
    t.same(grantsOf((await admin([env, 'permission', 'list'])).out), before, `${what}: nothing written`);
  }
  const real = await adminProcess([env, 'permission', 'add', 'carol', 'TEST_VIEW', 'NO_SUCH_ACTION']);
  t.equal(real.status, 2, 'the real command exits 2');
  t.match(real.stderr, 'NO_SUCH_ACTION');

  t.equal((await admin([env, 'permission', 'remove', 'alice', 'CONFIG_VIEW'])).status, 0);
  t.not((await admin([env, 'permission', 'remove', 'alice', 'TRAC_ADMIN'])).status, 0,
    'removing a grant that is not there fails');
  t.same(grantsOf((await admin([env, 'permission', 'list'])).out),
    ['alice TEST_VIEW', 'bob developers', 'developers TEST_VIEW'], 'only the one grant was removed');
});

void t.test('permission export and import round-trip every grant', async (t) => {
  const source = await envWithGrants('exporter');
  for (const grant of [['alice', 'TEST_VIEW', 'TRAC_ADMIN'], ['bob', 'developers'], ['developers', 'TEST_VIEW'],
    ['anonymous', 'TEST_VIEW'], ['authenticated', 'CONFIG_VIEW'], ['name, with "quotes"', 'TEST_VIEW']]) {
    t.equal((await admin([source, 'permission', 'add', ...grant])).status, 0, `granted ${grant.join(' ')}`);
  }
  const file = path.join(path.dirname(source), 'grants.csv');
  t.equal((await admin([source, 'permission', 'export', file])).status, 0);
  const toStdout = await admin([source, 'permission', 'export']);
  t.equal(`${toStdout.out}\n`, await fs.readFile(file, 'utf8'), 'standard output and file agree');

  const target = await envWithGrants('importer');
  t.equal((await admin([target, 'permission', 'import', file])).status, 0);
  const sourceList = grantsOf((await admin([source, 'permission', 'list'])).out);
  const exported = await admin([target, 'permission', 'export']);
  t.equal(exported.out, toStdout.out, 'the imported grants export identically');
  t.ok(sourceList.length >= 6, 'every grant made it');

  const third = await envWithGrants('stdin-importer');
  t.equal((await admin([third, 'permission', 'import', '-'], toStdout.out)).status, 0, 'import from standard input');
  t.equal((await admin([third, 'permission', 'export'])).out, toStdout.out);

  const bad = path.join(path.dirname(source), 'bad.csv');
  await fs.writeFile(bad, 'carol,TEST_VIEW\ndave,NO_SUCH_ACTION\n');
  const fourth = await envWithGrants('refuser');
  const refused = await admin([fourth, 'permission', 'import', bad]);
  t.equal(refused.status, 2, 'a file with one bad line is refused');
  t.match(refused.err, /line 2/, 'naming the line');
  t.equal((await admin([fourth, 'permission', 'export'])).out, '', 'and none of its lines were imported');
});

void t.test('config get, set, remove and list keep comments, order and other lines', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const env = await makeEnvironment(parent, 'configured', { projectName: 'Configured' });
  const ini = path.join(env, 'conf', 'trac.ini');
  const original = `${await fs.readFile(ini, 'utf8')}
; Site notes: keep this comment
[custom]
# first comment
alpha = 1
beta = two ; Trac keeps this as part of the value
    and a continuation line
# trailing comment
`;
  await fs.writeFile(ini, original);
  const lines = () => fs.readFile(ini, 'utf8').then((text) => text.split('\n'));

  t.equal((await admin([env, 'config', 'get', 'custom', 'alpha'])).out, '1');
  t.equal((await admin([env, 'config', 'get', 'custom', 'beta'])).out,
    'two ; Trac keeps this as part of the value\nand a continuation line', 'values are read as Trac reads them');
  const missing = await admin([env, 'config', 'get', 'custom', 'nosuch']);
  t.equal(missing.status, 1, 'get of an unset key exits 1');

  t.equal((await admin([env, 'config', 'set', 'custom', 'alpha', '42'])).status, 0);
  const afterSet = await lines();
  const before = original.split('\n');
  t.same(afterSet.filter((line, i) => line !== before[i]), ['alpha = 42'], 'set changed exactly one line');
  t.equal(afterSet.length, before.length);

  t.equal((await admin([env, 'config', 'set', 'custom', 'gamma', 'new value'])).status, 0);
  const afterAdd = await lines();
  t.ok(afterAdd.indexOf('gamma = new value') > afterAdd.indexOf('alpha = 42'), 'a new key goes into its section');
  for (const comment of ['; Site notes: keep this comment', '# first comment', '# trailing comment']) {
    t.ok(afterAdd.includes(comment), `kept: ${comment}`);
  }

  const unchanged = await fs.readFile(ini, 'utf8');
  const malformed = await admin([env, 'config', 'set', 'trac', 'check_auth_ip', 'maybe']);
  t.equal(malformed.status, 2, 'a malformed value for a declared option is refused');
  t.match(malformed.err, /check_auth_ip/);
  t.match(malformed.err, /maybe/);
  t.equal(await fs.readFile(ini, 'utf8'), unchanged, 'and nothing is written');

  t.equal((await admin([env, 'config', 'remove', 'custom', 'alpha'])).status, 0);
  const afterRemove = await lines();
  t.notOk(afterRemove.includes('alpha = 42'), 'removed');
  t.ok(afterRemove.includes('# first comment') && afterRemove.includes('# trailing comment'), 'comments stay');
  t.equal((await admin([env, 'config', 'remove', 'custom', 'alpha'])).status, 1, 'removing it again exits 1');

  const list = await admin([env, 'config', 'list']);
  t.equal(list.status, 0);
  for (const option of ['check_auth_ip', 'auth_cookie_lifetime', 'base_url', 'strip_domain', 'allow_from']) {
    t.match(list.out, option, `config list shows ${option}`);
  }
  t.match(list.out, 'Configured', 'with current values');

  await fs.writeFile(ini, `${await fs.readFile(ini, 'utf8')}\n[trac]\nauth_cookie_lifetime = soon\n`);
  const broken = await admin([env, 'config', 'list']);
  t.equal(broken.status, 1, 'a malformed value makes list exit 1');
  t.match(`${broken.out}\n${broken.err}`, /auth_cookie_lifetime[\s\S]*soon|soon[\s\S]*auth_cookie_lifetime/,
    'naming the key and its value');
});

void t.test('component list, enable and disable', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const env = await makeEnvironment(parent, 'parts', { projectName: 'Parts' });
  const ini = path.join(env, 'conf', 'trac.ini');

  const list = await admin([env, 'component', 'list']);
  t.equal(list.status, 0);
  t.match(list.out, /core\.LoginModule\s+core\s+enabled/);
  t.match(list.out, /hello\.HelloHandler\s+builtin\s+disabled/);

  t.equal((await admin([env, 'component', 'enable', 'hello'])).status, 0);
  t.match(await fs.readFile(ini, 'utf8'), /^\[components\][\s\S]*^hello = enabled$/m, 'the rule is in [components]');
  t.match((await admin([env, 'component', 'list'])).out, /hello\.HelloHandler\s+builtin\s+enabled/);

  t.equal((await admin([env, 'component', 'disable', 'hello.HelloHandler'])).status, 0);
  t.match((await admin([env, 'component', 'list'])).out, /hello\.HelloHandler\s+builtin\s+disabled/,
    'the more specific rule wins');

  const before = await fs.readFile(ini, 'utf8');
  const unknown = await adminProcess([env, 'component', 'enable', 'no_such_plugin']);
  t.equal(unknown.status, 2, 'an unknown name is a usage error');
  t.match(unknown.stderr.split('\n')[0], /no_such_plugin/, 'the first line says which name');
  t.equal(await fs.readFile(ini, 'utf8'), before, 'and nothing is written');
});

void t.test('session list and delete; deleting a user ends their sign-ins', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const env = await makeEnvironment(parent, 'sessions', { projectName: 'Sessions' });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  const server = await startServer({ env });
  servers.push(server);
  const alice1 = (await signIn(server.url, 'alice')).cookie;
  const alice2 = (await signIn(server.url, 'alice')).cookie;
  const bob = (await signIn(server.url, 'bob')).cookie;

  const list = await admin([env, 'session', 'list']);
  t.equal(list.status, 0);
  t.match(list.out, /^alice\s+1\s+\S+\s+2$/m, 'alice: authenticated, two sign-ins');
  t.match(list.out, /^bob\s+1\s+\S+\s+1$/m, 'bob: one sign-in');

  const deleted = await admin([env, 'session', 'delete', 'alice']);
  t.equal(deleted.status, 0);
  t.ok(await eventually(async () => (await whoami(server.url, alice1)).user === 'anonymous'
    && (await whoami(server.url, alice2)).user === 'anonymous', 2500), 'both of alice\'s sign-ins end');
  t.equal((await whoami(server.url, bob)).user, 'bob', 'bob stays signed in');
  t.notMatch((await admin([env, 'session', 'list'])).out, /^alice\s/m, 'alice is gone from the list');

  const usage = await adminProcess([env, 'session', 'delete']);
  t.equal(usage.status, 2, 'delete without a SID is a usage error');
});

void t.test('upgrade installs the tables of a newly added plugin; the server says when one is due', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const env = await makeEnvironment(parent, 'growing', { projectName: 'Growing' });
  t.match((await admin([env, 'upgrade'])).out, 'Database is already up to date', 'a new environment is current');

  await installPlugin(path.join(env, 'plugins'), 'test_schema');
  const server = await startServer({ env });
  servers.push(server);
  const due = await send(`${server.url}/notes`, { headers: { accept: 'application/json' } });
  t.equal(due.status, 503, 'before the upgrade the environment answers 503');
  t.match(due.body, 'GH_ERR_DB_NEEDS_UPGRADE');
  t.match(due.body, 'upgrade', 'saying which command to run');

  const run = await admin([env, 'upgrade']);
  t.equal(run.status, 0, run.error?.message ?? 'upgrade ran');
  t.match(run.out, /test_schema_version/, 'it reports the plugin\'s schema');
  t.match(run.out, 'Upgrade done.');
  t.match((await admin([env, 'upgrade'])).out, 'Database is already up to date', 'a second run has nothing to do');
  t.ok(await eventually(async () => (await send(`${server.url}/notes`)).body === 'notes: 0\n', 3000),
    'the plugin\'s page works after the upgrade, without a restart');
});

void t.test('deploy writes a working start script and front-server snippets for the base path', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const env = await makeEnvironment(parent, 'deployed', { projectName: 'Deployed Project' });
  const out = path.join(parent, 'deploy-out');
  const port = await freePort();
  const run = await admin([env, 'deploy', out, '--base-path', '/trac', '--port', String(port)]);
  t.equal(run.status, 0, run.error?.message ?? 'deploy ran');

  const start = await fs.readFile(path.join(out, 'start.sh'), 'utf8');
  t.match(start, env, 'the start script names the environment');
  t.match(start, /--base-path '?\/trac'?/);
  t.match(start, `--port ${port}`);
  t.ok(((await fs.stat(path.join(out, 'start.sh'))).mode & 0o111) !== 0, 'start.sh is executable');
  t.match(await fs.readFile(path.join(out, 'gatehouse.service'), 'utf8'), `ExecStart=${path.join(out, 'start.sh')}`);
  const nginx = await fs.readFile(path.join(out, 'nginx.conf'), 'utf8');
  t.match(nginx, /location \/trac[/ ]/, 'nginx proxies the base path');
  t.match(nginx, `proxy_pass http://127.0.0.1:${port}`);
  const apache = await fs.readFile(path.join(out, 'apache.conf'), 'utf8');
  t.match(apache, `ProxyPass /trac http://127.0.0.1:${port}/trac`, 'Apache proxies the base path');
  t.ok(await exists(path.join(out, 'htdocs', 'common', 'css', 'gatehouse.css')), 'static media copied');

  const started = new ServerProcess([], { cwd: parent, command: ['sh', path.join(out, 'start.sh')],
    env: { GATEHOUSE_LOG_LEVEL: 'warn' } });
  t.teardown(() => started.stop('SIGKILL', 1000).then(() => undefined));
  const url = `http://127.0.0.1:${port}/trac`;
  t.ok(await started.waitUntilServing(url), `the start script serves (${started.stderr.slice(0, 300)})`);
  const home = await send(`${url}/`);
  t.equal(home.status, 200);
  t.match(home.body, 'Deployed Project', 'the environment is served under the base path');
  t.equal((await started.stop('SIGTERM')).code, 0, 'and it stops cleanly on SIGTERM');
});

void t.test('--help on every command exits 0; errors exit non-zero with one line', async (t) => {
  const parent = await tempDir('gh-core-cli-');
  const env = await makeEnvironment(parent, 'helpful', { projectName: 'Helpful' });
  for (const command of ['initenv', 'config', 'component', 'permission', 'session', 'upgrade', 'deploy']) {
    const run = await admin([env, command, '--help']);
    t.equal(run.status, 0, `${command} --help exits 0`);
    t.match(run.out, /usage/i, `${command} --help prints its usage`);
    t.equal(run.err, '', `${command} --help writes nothing to stderr`);
  }

  const general = await adminProcess(['--help']);
  t.equal(general.status, 0, 'gatehouse-admin --help exits 0');
  t.match(general.stdout, /initenv[\s\S]*permission[\s\S]*deploy/);
  const commandHelp = await adminProcess([env, 'permission', '--help']);
  t.equal(commandHelp.status, 0);
  t.match(commandHelp.stdout, /permission add USER ACTION/);

  const nothing = await adminProcess([]);
  t.not(nothing.status, 0, 'no arguments is an error');
  const notEnv = await adminProcess([path.join(parent, 'missing'), 'config', 'list']);
  t.equal(notEnv.status, 1);
  t.equal(notEnv.stderr.trim().split('\n').length, 1, 'one line');
  t.match(notEnv.stderr, /is not a Gatehouse environment/);
  const unknown = await adminProcess([env, 'frobnicate']);
  t.equal(unknown.status, 2, 'an unknown command is a usage error');
  t.match(unknown.stderr.split('\n')[0], /^gatehouse-admin: unknown command "frobnicate"/, 'the first line says so');
});
