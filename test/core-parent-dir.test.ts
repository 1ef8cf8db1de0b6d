/**
 * A parent dir as a site owner runs it: the project index, unknown and broken environments,
 * error pages (HTML and JSON), request ids, and trac.ini changes taken up without a restart.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer } from '../core/server-app';
import { setConfigValue } from '../core/config/config-writer';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import {
  assertNoStackTrace, eventually, installPlugin, send, sendRaw, signIn, whoami, type Reply,
} from './fixtures/core-kit';


interface Site {
  parent: string;
  url: string;
  envPath(name: string): string;
  /** The broken environment's trac.ini as initenv wrote it, before it was broken. */
  brokenOriginal: string;
  close(): Promise<void>;
}

async function makeSite(): Promise<Site> {
  const parent = await tempDir('gh-core-parent-');
  const alpha = await makeEnvironment(parent, 'alpha', { projectName: 'Alpha Project', description: 'First of two',
    config: { test_auth: { marker: 'alpha-marker' } } });
  const beta = await makeEnvironment(parent, 'beta', { projectName: 'Beta Project',
    description: 'Second & <last>', config: { test_auth: { marker: 'beta-marker' } } });
  for (const env of [alpha, beta]) await installPlugin(path.join(env, 'plugins'), 'test_auth');

  // Things that must never show on the index.
  await makeEnvironment(parent, '.hidden', { projectName: 'Hidden Dot Project' });
  await makeEnvironment(parent, 'secret-notes', { projectName: 'Ignored Secret Project' });
  await makeEnvironment(parent, 'scratch1', { projectName: 'Ignored Scratch Project' });
  await fs.writeFile(path.join(parent, '.tracignore'), '# hidden from the index\nsecret-*\n\nscratch?\n');
  await fs.mkdir(path.join(parent, 'notes'));
  await fs.writeFile(path.join(parent, 'notes', 'todo.txt'), 'not an environment\n');
  await fs.mkdir(path.join(parent, 'half', 'conf'), { recursive: true });
  await fs.writeFile(path.join(parent, 'README.txt'), 'a plain file\n');

  const broken = await makeEnvironment(parent, 'broken', { projectName: 'Broken Project' });
  const brokenOriginal = await fs.readFile(path.join(broken, 'conf', 'trac.ini'), 'utf8');
  await fs.writeFile(path.join(broken, 'conf', 'trac.ini'), '[project]\nname = Broken Project\n[unclosed\n');

  const server = await startServer({ envParentDir: parent });
  return { parent, url: server.url, envPath: (name) => path.join(parent, name), brokenOriginal,
    close: () => server.close() };
}

const site = makeSite();
t.teardown(async () => {
  await (await site.catch(() => undefined))?.close();
  await cleanup();
});

const JSON_ACCEPT = { accept: 'application/json' };

function errorOf(reply: Reply): { status: number; code: string; message: string; requestId: string } {
  return (JSON.parse(reply.body) as { error: { status: number; code: string; message: string; requestId: string } }).error;
}

void t.test('the index lists each environment with its name and description, and nothing else', async (t) => {
  const { url, parent } = await site;
  const index = await send(`${url}/`);
  t.equal(index.status, 200);
  t.match(index.headers['content-type'], /^text\/html/);
  t.match(index.body, 'Alpha Project');
  t.match(index.body, 'First of two');
  t.match(index.body, 'Beta Project');
  t.match(index.body, 'Second &amp; &lt;last&gt;', 'descriptions are escaped');
  t.notMatch(index.body, '<last>');
  t.match(index.body, 'href="/alpha/"');
  t.match(index.body, 'href="/beta/"');
  for (const hidden of ['Hidden Dot Project', '.hidden', 'Ignored Secret Project', 'secret-notes',
    'Ignored Scratch Project', 'scratch1', 'notes', 'todo.txt', 'half', 'README.txt']) {
    t.notMatch(index.body, hidden, `the index does not show ${hidden}`);
  }
  t.notMatch(index.body, parent, 'no folder path on the index');
  t.notMatch(index.body, /trac\.ini|line \d|malformed/i, 'no configuration error on the index');
  assertNoStackTrace(t, index, 'index');

  const listing = await send(`${url}/`, { headers: JSON_ACCEPT });
  t.equal(listing.status, 200);
  t.match(listing.headers['content-type'], /^application\/json/);
  const projects = (JSON.parse(listing.body) as { projects: Array<{ name: string; title: string; description: string;
    href: string }> }).projects;
  const names = projects.map((project) => project.name);
  t.ok(names.includes('alpha') && names.includes('beta'), 'both environments are listed as JSON');
  for (const hidden of ['.hidden', 'secret-notes', 'scratch1', 'notes', 'half', 'README.txt']) {
    t.notOk(names.includes(hidden), `JSON index leaves out ${hidden}`);
  }
  t.has(projects.find((project) => project.name === 'alpha'),
    { name: 'alpha', href: '/alpha/', title: 'Alpha Project', description: 'First of two' }, 'alpha as JSON');
  t.notMatch(listing.body, parent, 'no folder path in the JSON index');
});

void t.test('an unknown name gets a 404 page that names it', async (t) => {
  const { url, parent } = await site;
  const unknown = await send(`${url}/nosuch/wiki`);
  t.equal(unknown.status, 404);
  t.match(unknown.headers['content-type'], /^text\/html/);
  t.match(unknown.body, /no project environment named (&quot;|")nosuch(&quot;|")/);
  assertNoStackTrace(t, unknown, 'unknown environment');

  const asJson = await send(`${url}/nosuch/`, { headers: JSON_ACCEPT });
  t.equal(asJson.status, 404);
  t.match(asJson.headers['content-type'], /^application\/json/);
  const error = errorOf(asJson);
  t.equal(error.code, 'GH_ERR_ENV_NOT_FOUND');
  t.equal(error.status, 404);
  t.match(error.message, 'nosuch');
  t.equal(error.requestId, asJson.headers['x-request-id'], 'the JSON error carries the request id of the header');

  for (const name of ['notes', 'half', 'README.txt', '.hidden', 'secret-notes']) {
    const reply = await send(`${url}/${name}/`);
    t.equal(reply.status, 404, `/${name}/ is not served`);
    t.notMatch(reply.body, parent, `/${name}/ shows no folder path`);
    t.notMatch(reply.body, /Hidden Dot Project|Ignored Secret Project/, `/${name}/ shows no project of a hidden folder`);
  }

  const script = await sendRaw(url, '/%3Cscript%3Ealert(1)%3C%2Fscript%3E/');
  t.equal(script.status, 404);
  t.notMatch(script.body, '<script>alert(1)', 'the name is escaped on the 404 page');

  for (const target of ['/%2e%2e/', '/..%2f/', '/alpha%2Fwhoami', '/%E0%A4%A/', '/alpha%00/']) {
    const reply = await sendRaw(url, target);
    t.ok(reply.status === 404 || reply.status === 400, `${target} is refused (${reply.status})`);
    t.notMatch(reply.body, parent, `${target} shows no folder path`);
    assertNoStackTrace(t, reply, target);
  }
});

void t.test('a broken trac.ini gives a 500 page naming the cause while the others keep serving', async (t) => {
  const { url, envPath, brokenOriginal } = await site;
  const broken = await send(`${url}/broken/`);
  t.equal(broken.status, 500);
  t.match(broken.body, 'trac.ini', 'the page names the file');
  t.match(broken.body, 'line 3', 'the page names the line');
  t.match(broken.body, /malformed section header/, 'the page says what is wrong');
  assertNoStackTrace(t, broken, 'broken environment');

  const asJson = await send(`${url}/broken/`, { headers: JSON_ACCEPT });
  t.equal(asJson.status, 500);
  const error = errorOf(asJson);
  t.match(error.message, /trac\.ini line 3/);
  t.equal(error.requestId, asJson.headers['x-request-id']);

  const alpha = await send(`${url}/alpha/`);
  t.equal(alpha.status, 200, 'alpha still serves');
  t.match(alpha.body, 'Alpha Project');
  const beta = await send(`${url}/beta/`);
  t.equal(beta.status, 200, 'beta still serves');
  t.match(beta.body, 'Second &amp; &lt;last&gt;', 'the home page escapes the description');
  t.notMatch(beta.body, '<last>');

  await fs.writeFile(path.join(envPath('broken'), 'conf', 'trac.ini'),
    brokenOriginal.replace('Broken Project', 'Mended Project'));
  t.ok(await eventually(async () => (await send(`${url}/broken/`)).body.includes('Mended Project'), 5000),
    'once trac.ini is fixed the environment serves without a restart');
});

void t.test('every response carries its own request id and no stack trace', async (t) => {
  const { url } = await site;
  const replies: Array<[string, Reply]> = [];
  const probe = async (what: string, reply: Promise<Reply>) => {
    replies.push([what, await reply]);
    return replies[replies.length - 1][1];
  };
  await probe('index', send(`${url}/`));
  await probe('index as JSON', send(`${url}/`, { headers: JSON_ACCEPT }));
  await probe('unknown env', send(`${url}/nosuch/`));
  await probe('env home', send(`${url}/alpha/`));
  await probe('env 404', send(`${url}/alpha/no/such/page`));
  await probe('login challenge', send(`${url}/alpha/login`));
  await probe('login', send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice' } }));
  await probe('static media', send(`${url}/alpha/chrome/common/css/gatehouse.css`));
  await probe('bad escape', sendRaw(url, '/alpha/%E0%A4%A'));
  await probe('health', send(`${url}/alpha/health`));
  const crash = await probe('handler crash', send(`${url}/alpha/crash`));
  const crashJson = await probe('handler crash as JSON', send(`${url}/alpha/crash`, { headers: JSON_ACCEPT }));

  const ids = new Set<string>();
  for (const [what, reply] of replies) {
    const id = reply.headers['x-request-id'];
    t.match(id, /^[0-9a-zA-Z-]{8,}$/, `${what} (${reply.status}) has an x-request-id`);
    t.notOk(ids.has(String(id)), `${what} has an id of its own`);
    ids.add(String(id));
    assertNoStackTrace(t, reply, what);
  }

  const spoofed = await send(`${url}/alpha/`, { headers: { 'x-request-id': 'forged<id>' } });
  t.not(spoofed.headers['x-request-id'], 'forged<id>', 'a client cannot choose its request id');
  t.notMatch(spoofed.body, 'forged<id>');

  t.equal(crash.status, 500, 'a handler that throws gives a 500');
  t.notMatch(crash.body, 'internal detail', 'the error message stays in the log');
  t.notMatch(crash.body, '/srv/secret', 'paths in the error stay in the log');
  t.match(crash.body, String(crash.headers['x-request-id']), 'the page quotes the request id to report');
  t.equal(crashJson.status, 500);
  t.equal(errorOf(crashJson).code, 'GH_ERR_HTTP_INTERNAL');
  t.notMatch(crashJson.body, 'internal detail');
});

void t.test('a trac.ini change takes effect without a restart', async (t) => {
  const { url, envPath } = await site;
  const ini = path.join(envPath('alpha'), 'conf', 'trac.ini');
  t.equal((await whoami(`${url}/alpha`)).project, 'Alpha Project');

  await setConfigValue(ini, 'project', 'name', 'Alpha Renamed');
  t.ok(await eventually(async () => (await send(`${url}/alpha/`)).body.includes('Alpha Renamed')),
    'the new project name shows on the home page');
  t.ok(await eventually(async () => (await send(`${url}/`)).body.includes('Alpha Renamed')),
    'and on the index');

  // An editor writing in place, same length: only the modification time changes.
  const text = await fs.readFile(ini, 'utf8');
  await fs.writeFile(ini, text.replace('alpha-marker', 'ALPHA-MARKER'));
  t.ok(await eventually(async () => (await whoami(`${url}/alpha`)).marker === 'ALPHA-MARKER'),
    'an in-place edit of the same size is seen');
  t.equal((await whoami(`${url}/beta`)).marker, 'beta-marker', 'beta keeps its own value');
});

void t.test('a change to an [inherit] file takes effect without a restart', async (t) => {
  const { url, parent } = await site;
  const shared = path.join(parent, 'shared.ini');
  await fs.writeFile(shared, '[test_auth]\nmarker = shared-one\n\n[project]\ndescr = From the shared file\n');
  const gamma = await makeEnvironment(parent, 'gamma', { projectName: 'Gamma Project',
    config: { inherit: { file: shared } } });
  await fs.writeFile(path.join(gamma, 'conf', 'trac.ini'),
    (await fs.readFile(path.join(gamma, 'conf', 'trac.ini'), 'utf8')).replace(/^descr = *$/m, ''));
  await installPlugin(path.join(gamma, 'plugins'), 'test_auth');

  const before = await whoami(`${url}/gamma`);
  t.equal(before.marker, 'shared-one', 'the inherited value applies');
  t.equal(before.description, 'From the shared file');

  await fs.writeFile(shared, '[test_auth]\nmarker = shared-two\n\n[project]\ndescr = Changed in the shared file\n');
  t.ok(await eventually(async () => (await whoami(`${url}/gamma`)).marker === 'shared-two'),
    'the inherited file change is seen');
  t.equal((await whoami(`${url}/gamma`)).description, 'Changed in the shared file');
});

void t.test('reopening one environment leaves the other environment and its sessions working', async (t) => {
  const { url, envPath } = await site;
  const alice = (await signIn(`${url}/alpha`, 'alice')).cookie;
  const bob = (await signIn(`${url}/beta`, 'bob')).cookie;

  // beta is asked continuously while alpha is reopened three times.
  let stop = false;
  const betaAnswers: string[] = [];
  const betaLoop = (async () => {
    while (!stop) {
      const who = await whoami(`${url}/beta`, bob).catch((error: Error) => ({ user: `error: ${error.message}` }));
      betaAnswers.push(who.user);
    }
  })();
  const ini = path.join(envPath('alpha'), 'conf', 'trac.ini');
  for (const round of [1, 2, 3]) {
    await setConfigValue(ini, 'test_auth', 'marker', `round-${round}`);
    t.ok(await eventually(async () => (await whoami(`${url}/alpha`)).marker === `round-${round}`),
      `alpha reopened (round ${round})`);
  }
  stop = true;
  await betaLoop;

  t.ok(betaAnswers.length > 0, 'beta answered during the reopens');
  t.same([...new Set(betaAnswers)], ['bob'], 'every beta answer during alpha\'s reopens was bob, signed in');
  t.equal((await whoami(`${url}/alpha`, alice)).user, 'alice', 'alpha\'s own session survives its reopen');
});

void t.test('a request in flight during a reopen finishes on the environment it started on', async (t) => {
  const { url, envPath } = await site;
  const alpha = envPath('alpha');
  await fs.rm(path.join(alpha, 'slow-started'), { force: true });
  await fs.rm(path.join(alpha, 'slow-release'), { force: true });

  const slow = send(`${url}/alpha/slow`);
  t.ok(await eventually(async () => !!(await fs.stat(path.join(alpha, 'slow-started')).catch(() => undefined))),
    'the slow request started');
  await setConfigValue(path.join(alpha, 'conf', 'trac.ini'), 'project', 'name', 'Alpha After Reopen');
  t.ok(await eventually(async () => (await whoami(`${url}/alpha`)).project === 'Alpha After Reopen'),
    'alpha reopened while the slow request waits');
  await fs.writeFile(path.join(alpha, 'slow-release'), 'go');

  const reply = await slow;
  t.equal(reply.status, 200, 'the slow request still completes');
  t.match(reply.body, /^slow done in Alpha \w+/, 'and could still use its database');
});

void t.test('a typo saved into a running environment\'s trac.ini gives a 500 naming it until fixed', async (t) => {
  const { url, envPath } = await site;
  const ini = path.join(envPath('beta'), 'conf', 'trac.ini');
  const { cookie } = await signIn(`${url}/beta`, 'bob');
  const good = await fs.readFile(ini, 'utf8');
  const lineCount = good.split('\n').length;
  await fs.writeFile(ini, `${good}\n[oops\n`);

  t.ok(await eventually(async () => (await send(`${url}/beta/`)).status === 500), 'the broken file is noticed');
  const broken = await send(`${url}/beta/`);
  t.match(broken.body, `trac.ini line ${lineCount + 1}`, 'the page names the file and line');
  t.equal((await send(`${url}/alpha/`)).status, 200, 'alpha is unaffected');

  await fs.writeFile(ini, good);
  t.ok(await eventually(async () => (await send(`${url}/beta/`)).status === 200), 'fixing it brings beta back');
  t.equal((await whoami(`${url}/beta`, cookie)).user, 'bob', 'with its sessions');
});

void t.test('a malformed option value is a 500 naming file, section, key, value and what was expected', async (t) => {
  const { url, envPath } = await site;
  const ini = path.join(envPath('alpha'), 'conf', 'trac.ini');
  await setConfigValue(ini, 'trac', 'auth_cookie_lifetime', 'soon');
  t.ok(await eventually(async () => (await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice' } }))
    .status === 500), 'signing in needs the lifetime and fails');
  const reply = await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice', accept: 'application/json' } });
  const error = errorOf(reply);
  t.equal(error.code, 'GH_ERR_CONFIG_VALUE');
  t.match(error.message, ini, 'the file');
  t.match(error.message, '[trac] auth_cookie_lifetime', 'section and key');
  t.match(error.message, '"soon"', 'the value');
  t.match(error.message, /expected an integer/, 'what was expected');
  await setConfigValue(ini, 'trac', 'auth_cookie_lifetime', '0');
  t.ok(await eventually(async () => (await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice' } }))
    .status === 303), 'a good value works again');
});
