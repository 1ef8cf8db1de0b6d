/**
 * The built-in pages a visitor and an operator see: the environment home, /about (version and
 * components for everyone, configuration only with CONFIG_VIEW, secrets never), /health, the
 * shipped stylesheet; and a grant or revocation made with gatehouse-admin taking effect on the
 * running server.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type RunningServer } from '../core/server-app';
import { projectRoot } from '../core/paths';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { admin, eventually, installPlugin, send, signIn } from './fixtures/core-kit';

let server: RunningServer | undefined;
t.teardown(async () => {
  await server?.close();
  await cleanup();
});

async function makeSite(): Promise<{ url: string; env: string }> {
  const parent = await tempDir('gh-core-pages-');
  const env = await makeEnvironment(parent, 'pages', { projectName: 'Pages <Project>',
    description: 'Where the built-in pages live' });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  for (const [user, action] of [['alice', 'TRAC_ADMIN'], ['carol', 'CONFIG_VIEW']]) {
    const run = await admin([env, 'permission', 'add', user, action]);
    if (run.status !== 0) throw new Error(`cannot grant ${action}: ${run.err}`);
  }
  server = await startServer({ env });
  return { url: server.url, env };
}

const site = makeSite();

const cookieHeader = (cookie: string) => ({ cookie: `trac_auth=${cookie}` });

void t.test('the home page shows the project, its description and who is signed in', async (t) => {
  const { url } = await site;
  const anonymous = await send(`${url}/`);
  t.equal(anonymous.status, 200);
  t.match(anonymous.headers['content-type'], /^text\/html/);
  t.match(anonymous.body, '<h1>Pages &lt;Project&gt;</h1>', 'the project name, escaped');
  t.match(anonymous.body, 'Where the built-in pages live');
  t.match(anonymous.body, 'href="/login"', 'a sign-in link');
  t.notMatch(anonymous.body, /href="\/logout"/, 'no sign-out link for anonymous');

  const { cookie } = await signIn(url, 'bob');
  const signedIn = await send(`${url}/`, { headers: cookieHeader(cookie) });
  t.match(signedIn.body, /signed in as <strong[^>]*>bob<\/strong>/);
  t.match(signedIn.body, /<a href="\/logout">Sign out<\/a>/, 'a sign-out link to the form');
  t.notOk(signedIn.headers['set-cookie'], 'an ordinary page sets no cookie');
  const form = await send(`${url}/logout`, { headers: cookieHeader(cookie) });
  t.match(form.body, /<form method="post" action="\/logout"/, 'the sign-out page has the form');
  t.match(form.body, /name="__FORM_TOKEN" value="[0-9a-f]{32,}"/, 'carrying a form token');

  const head = await send(`${url}/`, { method: 'HEAD' });
  t.equal(head.status, 200, 'HEAD works');
  t.equal(head.body, '', 'without a body');
});

void t.test('/about shows version and components to all, configuration only with CONFIG_VIEW', async (t) => {
  const { url, env } = await site;
  const version = (JSON.parse(await fs.readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
  const database = (await admin([env, 'config', 'get', 'trac', 'database'])).out;
  t.ok(database.length > 0, 'the environment has a [trac] database value to keep secret');

  const anonymous = await send(`${url}/about`);
  t.equal(anonymous.status, 200);
  t.match(anonymous.body, version, 'the version');
  t.match(anonymous.body, 'core.LoginModule', 'the enabled components');
  t.match(anonymous.body, 'test_auth.WhoAmIHandler');
  t.notMatch(anonymous.body, 'hello.HelloHandler', 'not the disabled ones');
  t.notMatch(anonymous.body, /Configuration/, 'no configuration for anonymous');
  t.notMatch(anonymous.body, 'check_auth_ip');

  const bob = (await signIn(url, 'bob')).cookie;
  t.notMatch((await send(`${url}/about`, { headers: cookieHeader(bob) })).body, /Configuration/,
    'none for a signed-in user without CONFIG_VIEW');

  for (const user of ['alice', 'carol']) {
    const cookie = (await signIn(url, user)).cookie;
    const page = await send(`${url}/about`, { headers: cookieHeader(cookie) });
    t.match(page.body, /Configuration/, `${user} sees the configuration`);
    t.match(page.body, 'check_auth_ip', `${user} sees the options`);
    t.notMatch(page.body, database, `${user} does not see the database connection string`);
  }
});

void t.test('/health answers JSON with the process and database state', async (t) => {
  const { url } = await site;
  const reply = await send(`${url}/health`);
  t.equal(reply.status, 200);
  t.match(reply.headers['content-type'], /^application\/json/);
  t.has(JSON.parse(reply.body), { status: 'ok', process: 'up', database: { status: 'ok' } });
});

void t.test('the shipped stylesheet is served from /chrome/common/', async (t) => {
  const { url } = await site;
  const reply = await send(`${url}/chrome/common/css/gatehouse.css`);
  t.equal(reply.status, 200);
  t.match(reply.headers['content-type'], /^text\/css/);
  t.equal(reply.body, await fs.readFile(path.join(projectRoot, 'core', 'chrome', 'htdocs', 'css', 'gatehouse.css'), 'utf8'),
    'byte for byte');
});

void t.test('a grant or revocation made with gatehouse-admin reaches the running server', async (t) => {
  const { url, env } = await site;
  const dave = (await signIn(url, 'dave')).cookie;
  const status = async () => (await send(`${url}/needs-perm`, { headers: cookieHeader(dave) })).status;
  t.equal(await status(), 403, 'dave is refused at first');

  t.equal((await admin([env, 'permission', 'add', 'dave', 'TEST_VIEW'])).status, 0);
  t.ok(await eventually(async () => (await status()) === 200, 3000), 'the grant takes effect without a restart');

  t.equal((await admin([env, 'permission', 'remove', 'dave', 'TEST_VIEW'])).status, 0);
  t.ok(await eventually(async () => (await status()) === 403, 3000), 'and so does the revocation');
});
