/**
 * The real server process, `node dist/server.js`, as `npm start` runs it: the default
 * environment made on first start, --help, a clean SIGTERM with a request in flight, several
 * workers sharing sessions through the database, and what reaches (and never reaches) the log.
 */
import 'reflect-metadata';
import t, { type Test } from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { basicAuth } from './helpers/http';
import {
  eventually, freePort, installPlugin, send, sendRaw, ServerProcess, setCookies, signIn, type LogLine, type Reply,
} from './fixtures/core-kit';

t.teardown(cleanup);

async function launch(t: Test, args: string[], cwd: string): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  const server = new ServerProcess([...args, '--port', String(port)], { cwd, env: { GATEHOUSE_LOG_LEVEL: 'info' } });
  t.teardown(() => server.stop('SIGKILL', 1000).then(() => undefined));
  const url = `http://127.0.0.1:${port}`;
  if (!(await server.waitUntilServing(url))) {
    throw new Error(`the server did not start: ${server.stderr.slice(0, 500)} ${server.stdout.slice(0, 500)}`);
  }
  return { server, url };
}

/** The pid that served each reply, from the per-request log lines (fastify's reqId). */
async function servingPids(server: ServerProcess, replies: Reply[]): Promise<number[]> {
  const ids = replies.map((reply) => String(reply.headers['x-request-id']));
  const find = () => {
    const byId = new Map<string, number>();
    for (const line of server.logLines()) {
      if (line.msg === 'request' && typeof line.reqId === 'string' && typeof line.pid === 'number') {
        byId.set(line.reqId, line.pid);
      }
    }
    return ids.map((id) => byId.get(id));
  };
  await eventually(() => find().every((pid) => pid !== undefined), 3000);
  return find().map((pid) => pid ?? -1);
}

void t.test('a first start with nothing configured makes ./data/default and prints the admin password once',
  async (t) => {
    const cwd = await tempDir('gh-core-server-');
    const first = await launch(t, [], cwd);
    t.ok(await first.server.waitForOutput(/shown only once/), 'the password notice is printed');
    const envPath = path.join(await fs.realpath(cwd), 'data', 'default');
    t.ok(await fs.stat(path.join(envPath, 'conf', 'trac.ini')).catch(() => undefined), 'data/default is an environment');
    t.match(first.server.stdout, 'Created the default environment in');
    const password = /password:\s*\n\s*\n\s+(\S+)\s*\n/.exec(first.server.stdout)?.[1] ?? '';
    t.match(password, /^\S{12,}$/, 'a long random password');

    const login = await send(`${first.url}/login`, { headers: { authorization: basicAuth('admin', password) } });
    t.equal(login.status, 303, 'admin signs in with it (auth_basic)');
    const cookie = setCookies(login).get('trac_auth')?.value;
    const about = await send(`${first.url}/about`, { headers: { cookie: `trac_auth=${cookie}` } });
    t.match(about.body, /signed in as <strong>admin<\/strong>/);
    t.match(about.body, /Configuration/, 'admin holds TRAC_ADMIN: /about shows the configuration');
    const wrong = await send(`${first.url}/login`, { headers: { authorization: basicAuth('admin', `${password}x`) } });
    t.equal(wrong.status, 401, 'a wrong password is refused');

    const passwordLogged = first.server.logLines().filter((line) => JSON.stringify(line).includes(password));
    t.same(passwordLogged, [], 'the password is in no log line');
    t.equal((await first.server.stop('SIGTERM')).code, 0, 'SIGTERM exits 0');

    const second = await launch(t, [], cwd);
    t.notMatch(second.server.stdout, /password/i, 'a second start prints no password');
    t.notMatch(second.server.stdout, password, 'and certainly not the old one');
    const again = await send(`${second.url}/login`, { headers: { authorization: basicAuth('admin', password) } });
    t.equal(again.status, 303, 'the first password still works');
    t.equal((await second.server.stop('SIGTERM')).code, 0);
  });

void t.test('--help documents every flag and exits 0; a bad flag exits non-zero', async (t) => {
  const cwd = await tempDir('gh-core-server-');
  const help = new ServerProcess(['--help'], { cwd });
  const state = await help.exited;
  t.equal(state.code, 0);
  for (const flag of ['--env', '--env-parent-dir', '--host', '--port', '--base-path', '--trust-proxy', '--workers',
    'TRAC_ENV', 'TRAC_ENV_PARENT_DIR']) {
    t.match(help.stdout, flag, `--help mentions ${flag}`);
  }
  t.same(await fs.readdir(cwd), [], '--help creates nothing');

  const bad = new ServerProcess(['--bogus'], { cwd });
  t.not((await bad.exited).code, 0, 'an unknown flag is an error');
  t.match(bad.stderr, 'bogus', 'naming the flag');
  t.same(await fs.readdir(cwd), [], 'and creates nothing');
});

void t.test('SIGTERM lets a slow request in flight finish, then exits 0', async (t) => {
  const parent = await tempDir('gh-core-server-');
  const env = await makeEnvironment(parent, 'slowpoke', { projectName: 'Slowpoke' });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  const { server, url } = await launch(t, ['--env', env], parent);

  const slow = send(`${url}/slow`);
  t.ok(await eventually(async () => !!(await fs.stat(path.join(env, 'slow-started')).catch(() => undefined)), 5000),
    'the slow request is in flight');
  server.child.kill('SIGTERM');
  t.ok(await server.waitForOutput(/shutting down/), 'the server says it is shutting down');
  t.ok(server.running, 'and waits for the request');
  await fs.writeFile(path.join(env, 'slow-release'), 'go');
  const reply = await slow;
  t.equal(reply.status, 200, 'the request in flight completes');
  t.match(reply.body, /^slow done in Slowpoke; \d+ grants/, 'with its database still open');
  const state = await server.exited;
  t.equal(state.code, 0, 'then the process exits 0');
});

void t.test('--workers 2: both workers serve, and a sign-in on one is valid on the other', async (t) => {
  const parent = await tempDir('gh-core-server-');
  const env = await makeEnvironment(parent, 'shared', { projectName: 'Shared' });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  const { server, url } = await launch(t, ['--env', env, '--workers', '2'], parent);
  const listening = await eventually(
    () => server.logLines().filter((line) => line.msg === 'Gatehouse listening').length >= 2, 20000);
  t.ok(listening, `two workers are listening${listening ? '' : `; stderr: ${server.stderr.slice(-600)}`}`);

  const login = await signIn(url, 'alice');
  const replies: Reply[] = [];
  for (let i = 0; i < 12; i += 1) replies.push(await send(`${url}/whoami`, { headers: { cookie: `trac_auth=${login.cookie}` } }));
  for (const reply of replies) t.equal((JSON.parse(reply.body) as { user: string }).user, 'alice', 'alice on every request');

  const [loginPid] = await servingPids(server, [login.reply]);
  const pids = await servingPids(server, replies);
  t.ok(new Set(pids).size >= 2, `requests reached both workers (${[...new Set(pids)].join(', ')})`);
  t.ok(pids.some((pid) => pid !== loginPid && pid !== -1), 'the sign-in was honoured by a worker that did not make it');

  const form = await send(`${url}/logout`, { headers: { cookie: `trac_auth=${login.cookie}` } });
  const token = /name="__FORM_TOKEN" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const out = await send(`${url}/logout`, { method: 'POST', body: `__FORM_TOKEN=${token}`,
    headers: { cookie: `trac_auth=${login.cookie}; trac_form_token=${token}`,
      'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(out.status, 303, `signed out on one worker ${out.status === 303 ? '' : out.body.slice(0, 300)}`);
  t.ok(await eventually(async () => {
    for (let i = 0; i < 6; i += 1) {
      const who = await send(`${url}/whoami`, { headers: { cookie: `trac_auth=${login.cookie}` } });
      if ((JSON.parse(who.body) as { user: string }).user !== 'anonymous') return false;
    }
    return true;
  }, 3000), 'and the session is over on every worker within about a second');

  const state = await server.stop('SIGTERM');
  t.equal(state.code, 0, 'SIGTERM stops the workers and exits 0');
});

function linesWith(lines: LogLine[], predicate: (line: LogLine) => boolean): LogLine[] {
  return lines.filter(predicate);
}

void t.test('the log names failing plugins and authenticators, and never carries secrets', async (t) => {
  const parent = await tempDir('gh-core-server-');
  const env = await makeEnvironment(parent, 'shaky', { projectName: 'Shaky' });
  for (const plugin of ['broken_on_load', 'exploding_auth', 'test_auth']) await installPlugin(path.join(env, 'plugins'), plugin);
  const broken = await makeEnvironment(parent, 'broken', { projectName: 'Broken' });
  await fs.writeFile(path.join(broken, 'conf', 'trac.ini'), '[project]\nname = Broken\n[unclosed\n');
  const { server, url } = await launch(t, ['--env-parent-dir', parent], parent);

  const who = await send(`${url}/shaky/whoami`);
  t.equal(who.status, 200);
  t.equal((JSON.parse(who.body) as { user: string }).user, 'anonymous', 'the request went on as anonymous');
  t.equal((await send(`${url}/broken/`)).status, 500);

  const { cookie } = await signIn(`${url}/shaky`, 'alice');
  const secretAuthorization = basicAuth('alice', 'correct-horse-battery');
  await send(`${url}/shaky/whoami`, { headers: { cookie: `trac_auth=${cookie}; trac_form_token=feedfacefeedfacefeedfacefeedface`,
    authorization: secretAuthorization } });
  await send(`${url}/shaky/crash`);
  // An absolute-form target may carry a password in its userinfo: the log shows the path only.
  const absolute = await sendRaw(url, 'http://alice:pw-in-the-url@example.invalid/shaky/whoami?token=query-secret');
  t.equal(absolute.status, 200, 'an absolute-form target is served');
  const malformed = await sendRaw(url, '/shaky/%zz');
  t.equal(malformed.status, 400, 'a URL the router cannot decode is a 400');

  // Log lines may reach the pipe a moment after the response.
  t.ok(await eventually(() => server.logLines().some((line) => line.authenticator === 'exploding_scheme')),
    'the throwing authenticator is logged');
  await eventually(() => server.stdout.includes('internal detail /srv/secret')
    && server.logLines().filter((line) => line.msg === 'request').length >= 6
    && server.logLines().some((line) => line.msg === 'request' && line.reqId === absolute.headers['x-request-id'])
    && server.logLines().some((line) => line.msg === 'request' && line.reqId === malformed.headers['x-request-id']));
  const lines = server.logLines();
  const exploded = linesWith(lines, (line) => line.authenticator === 'exploding_scheme');
  t.ok(exploded.every((line) => (line.level ?? 0) >= 50), 'as an error');
  t.match(JSON.stringify(exploded[0]), 'the exploding scheme failed on purpose', 'with its error');

  const loadFailure = linesWith(lines, (line) => JSON.stringify(line).includes('broken_on_load cannot start'));
  t.ok(loadFailure.length > 0, 'the plugin that failed to load is logged');
  t.match(JSON.stringify(loadFailure[0]), path.join(env, 'plugins', 'broken_on_load'), 'with its path');

  const brokenEnv = linesWith(lines, (line) => JSON.stringify(line).includes('line 3'));
  t.ok(brokenEnv.length > 0, 'the broken trac.ini is logged with its line');

  const crash = linesWith(lines, (line) => JSON.stringify(line).includes('internal detail /srv/secret'));
  t.ok(crash.length > 0, 'a handler\'s crash is in the log (and only there)');

  const requestLines = linesWith(lines, (line) => line.msg === 'request');
  t.ok(requestLines.some((line) => line.user === 'alice' && line.env === 'shaky' && line.status === 200),
    'one line per request with environment, user and status');

  t.ok(requestLines.some((line) => line.reqId === absolute.headers['x-request-id'] && line.path === '/shaky/whoami'),
    'the absolute-form request is logged by its path');
  t.ok(requestLines.some((line) => line.reqId === malformed.headers['x-request-id'] && line.status === 400),
    'and so is the one fastify refused as malformed');
  for (const secret of [cookie, 'feedfacefeedfacefeedfacefeedface', secretAuthorization.slice(6), 'correct-horse-battery',
    'pw-in-the-url', 'query-secret']) {
    t.notMatch(server.stdout + server.stderr, secret, `never in the log: ${secret.slice(0, 8)}...`);
  }
  t.equal((await server.stop('SIGTERM')).code, 0);
});

void t.test('environment variables stand in for the flags; SIGINT stops cleanly too', async (t) => {
  const parent = await tempDir('gh-core-server-');
  await makeEnvironment(parent, 'fromvars', { projectName: 'From Variables' });
  const port = await freePort();
  const server = new ServerProcess([], { cwd: parent, env: { TRAC_ENV_PARENT_DIR: parent, GATEHOUSE_PORT: String(port),
    GATEHOUSE_BASE_PATH: '/gh', GATEHOUSE_LOG_LEVEL: 'info' } });
  t.teardown(() => server.stop('SIGKILL', 1000).then(() => undefined));
  const url = `http://127.0.0.1:${port}/gh`;
  t.ok(await server.waitUntilServing(`${url}/fromvars`), 'TRAC_ENV_PARENT_DIR, GATEHOUSE_PORT and GATEHOUSE_BASE_PATH apply');
  const index = await send(`${url}/`);
  t.equal(index.status, 200);
  t.match(index.body, 'From Variables');
  t.match(index.body, 'href="/gh/fromvars/"');
  t.notOk(await fs.stat(path.join(parent, 'data')).catch(() => undefined), 'no default environment is made');
  t.equal((await server.stop('SIGINT')).code, 0, 'SIGINT exits 0');

  const both = new ServerProcess(['--env', path.join(parent, 'fromvars'), '--env-parent-dir', parent], { cwd: parent });
  t.not((await both.exited).code, 0, '--env with --env-parent-dir is refused');
  t.match(both.stderr, /--env.*--env-parent-dir|--env-parent-dir.*--env/, 'saying why');
});
