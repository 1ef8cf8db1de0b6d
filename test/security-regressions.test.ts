/**
 * Regressions for what a break-in attempt found: each test pins one hole that must stay shut.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { startServer } from '../core/server-app';
import { bcryptHash } from '../plugins/auth-basic/hashes/bcrypt';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { basicAuth, request, setCookie } from './helpers/http';
import { runCli } from '../core/cli/main';
import { memoryIo } from '../core/cli/io';
import { eventually, installPlugin } from './fixtures/core-kit';

t.teardown(cleanup);

/** Sends raw bytes and resolves with whatever comes back before the server closes or 2 s pass. */
function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(payload));
    let answer = '';
    socket.on('data', (chunk: Buffer) => { answer += chunk.toString('latin1'); });
    const done = () => resolve(answer);
    socket.on('close', done);
    socket.on('error', done);
    socket.setTimeout(2000, () => socket.destroy());
  });
}

async function basicEnvironment(users: Record<string, string>, extra: Record<string, Record<string, string>> = {}):
  Promise<string> {
  const dir = await tempDir('gh-sec-');
  const envPath = await makeEnvironment(dir, 'sec', {
    config: { components: { 'auth_basic.*': 'enabled' }, 'auth-basic': { user_file: 'users.htpasswd' }, ...extra },
  });
  const lines = await Promise.all(Object.entries(users).map(async ([user, password]) =>
    `${user}:${await bcryptHash(Buffer.from(password), 4)}`));
  await fs.writeFile(path.join(envPath, 'conf', 'users.htpasswd'), `${lines.join('\n')}\n`);
  return envPath;
}

void t.test('a multipart body that ends mid-file is a clean error, not a crashed server', async (t) => {
  const envPath = await basicEnvironment({ bob: 'pw' });
  t.equal(await runCli([envPath, 'permission', 'add', 'bob', 'ATTACHMENT_CREATE', 'ATTACHMENT_VIEW'], memoryIo()), 0);
  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());
  const port = Number(new URL(server.url).port);
  const login = await request(`${server.url}/login`, { headers: { authorization: basicAuth('bob', 'pw') } });
  const cookie = setCookie(login, 'trac_auth') ?? '';

  const body = '--zz\r\nContent-Disposition: form-data; name="attachment"; filename="a.txt"\r\n\r\nabc';
  const answer = await rawExchange(port, ['POST /attachment/wiki/Any/ HTTP/1.1', 'Host: 127.0.0.1',
    `Cookie: trac_auth=${cookie}`, 'Content-Type: multipart/form-data; boundary=zz',
    `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
  t.notMatch(answer, /^HTTP\/1\.1 5\d\d/, 'no 5xx for the truncated upload');

  const health = await request(`${server.url}/health`);
  t.equal(health.status, 200, 'the server is still up and answering');
});

void t.test('a user name is never trimmed after its password was checked', async (t) => {
  const envPath = await basicEnvironment({ alice: 'alice-pw', 'alice ': 'evil-pw' });
  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());

  const evil = await request(`${server.url}/login`, { headers: { authorization: basicAuth('alice ', 'evil-pw') } });
  t.equal(evil.status, 303, '"alice " signs in as themselves');
  const home = await request(`${server.url}/`, { headers: { cookie: `trac_auth=${setCookie(evil, 'trac_auth')}` } });
  t.match(home.body, /<strong class="user">alice <\/strong>/, 'and stays "alice ", with the space');
  t.notMatch(home.body, /<strong class="user">alice<\/strong>/, 'never plain alice');
});

void t.test('repeated slashes cannot step around a path rule', async (t) => {
  const envPath = await basicEnvironment({ alice: 'pw' }, {
    'auth-basic': { user_file: 'users.htpasswd', paths: '/chrome/site/private' },
    'access:/chrome/site/secret': { deny_from: '127.0.0.0/8, ::1' },
  });
  await fs.mkdir(path.join(envPath, 'htdocs', 'private'), { recursive: true });
  await fs.mkdir(path.join(envPath, 'htdocs', 'secret'), { recursive: true });
  await fs.writeFile(path.join(envPath, 'htdocs', 'private', 'p.txt'), 'PRIVATE');
  await fs.writeFile(path.join(envPath, 'htdocs', 'secret', 's.txt'), 'SECRET');
  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());

  for (const target of ['/chrome/site/private/p.txt', '/chrome/site//private/p.txt', '/chrome//site/private/p.txt']) {
    const reply = await request(`${server.url}${target}`);
    t.equal(reply.status, 401, `${target} asks for credentials`);
    t.notMatch(reply.body, /PRIVATE/);
  }
  for (const target of ['/chrome/site/secret/s.txt', '/chrome/site//secret/s.txt', '//chrome/site/secret/s.txt']) {
    const reply = await request(`${server.url}${target}`);
    t.equal(reply.status, 403, `${target} is refused by the network rule`);
    t.notMatch(reply.body, /SECRET/);
  }
});

void t.test('under --trust-proxy a forwarded address that is not an IP fails closed', async (t) => {
  const envPath = await basicEnvironment({}, { access: { deny_from: '10.0.0.0/8' } });
  const server = await startServer({ env: envPath, trustProxy: true });
  t.teardown(() => server.close());
  t.equal((await request(`${server.url}/`, { headers: { 'x-forwarded-for': '192.0.2.7' } })).status, 200,
    'an allowed address passes');
  t.equal((await request(`${server.url}/`, { headers: { 'x-forwarded-for': '10.1.2.3' } })).status, 403,
    'a denied address is refused');
  for (const odd of ['10.1.2.3:8080', 'garbage', '0177.0.0.1']) {
    t.equal((await request(`${server.url}/`, { headers: { 'x-forwarded-for': odd } })).status, 403,
      `"${odd}" is refused rather than let through`);
  }
});

void t.test('plugin answers that are thenables or promises of another realm are awaited, never lost', async (t) => {
  const dir = await tempDir('gh-sec-');
  const envPath = await makeEnvironment(dir, 'odd');
  await installPlugin(path.join(envPath, 'plugins'), 'odd_returns');
  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());

  const thenable = await request(`${server.url}/odd/thenable`);
  t.equal(thenable.status, 200, 'a handler returning a thenable is waited for');
  t.match(thenable.body, 'thenable answered anonymous');
  const realm = await request(`${server.url}/odd/realm-ok`);
  t.equal(realm.status, 200);
  t.match(realm.body, 'answered from another realm');
  // In-process: an unhandled rejection here would end the test run itself.
  const rejected = await request(`${server.url}/odd/realm-reject`);
  t.equal(rejected.status, 500, 'a rejection from another realm is a 500 page');
  t.notMatch(rejected.body, 'rejected in another realm', 'whose detail stays in the log');
  t.equal((await request(`${server.url}/odd/sync-throw`)).status, 500, 'a handler that throws at once too');

  t.match((await request(`${server.url}/odd/x?auth=thenable-user`)).body, 'plain mallory',
    'an authenticator answering with a thenable names its user');
  t.match((await request(`${server.url}/odd/x?auth=realm-user`)).body, 'plain trent',
    'and with a promise of another realm');
  const weird = await request(`${server.url}/odd/x?auth=weird`);
  t.equal(weird.status, 200, 'a result of an unknown kind counts as a pass');
  t.match(weird.body, 'plain anonymous');
  t.match((await request(`${server.url}/odd/x?auth=nameless`)).body, 'plain anonymous',
    'a "user" result that names nobody signs nobody in');
  const bare = await request(`${server.url}/odd/x?auth=bare-challenge`);
  t.equal(bare.status, 401, 'a challenge without a status is a 401');
});

void t.test('an environment folder that goes away has its database closed', async (t) => {
  const parent = await tempDir('gh-sec-');
  const envPath = await makeEnvironment(parent, 'gone');
  const dbFile = path.join(await fs.realpath(envPath), 'db', 'trac.db');
  const openHandles = async () => {
    const fds = await fs.readdir('/proc/self/fd');
    const targets = await Promise.all(fds.map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => '')));
    return targets.filter((target) => target.startsWith(dbFile)).length;
  };
  const server = await startServer({ envParentDir: parent });
  t.teardown(() => server.close());
  t.equal((await request(`${server.url}/gone/`)).status, 200);
  t.ok((await openHandles()) > 0, 'the database is open while the environment serves');
  await fs.rm(envPath, { recursive: true, force: true });
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal((await request(`${server.url}/gone/`)).status, 404, 'a removed folder is a 404 within a quarter second');
  t.ok(await eventually(async () => (await openHandles()) === 0, 3000), 'and its database handles are closed');
});
