/**
 * HTTP Basic on a running server, from curl's side: every fixture user on /login, the challenge,
 * malformed headers, the cookie that follows, reload without restart, whole-site mode, a missing
 * or unset file (503), `require` rules, and what the log says about a failed sign-in.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startServer, type RunningServer } from '../../../core/server-app';
import { cleanup, makeEnvironment, tempDir } from '../../../test/helpers/environments';
import { admin, eventually, freePort, ServerProcess } from '../../../test/fixtures/core-kit';
import { FIXTURE_PASSWORDS, fixturesDir, htpasswdMissing } from './helpers';

const skip = htpasswdMissing();
const CHALLENGE = 'Basic realm="Trac", charset="UTF-8"';

interface CurlReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request with curl (no redirects followed); ARGS are extra curl arguments. */
function curl(url: string, ...args: string[]): Promise<CurlReply> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-i', '--max-time', '30', ...args, url],
      { encoding: 'buffer', maxBuffer: 4 << 20 }, (error, stdout) => {
        if (error) return reject(error);
        const text = stdout.toString('utf8');
        const split = text.indexOf('\r\n\r\n');
        const head = text.slice(0, split).split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        resolve({ status: Number(head[0].split(' ')[1]), headers, body: text.slice(split + 4) });
      });
  });
}

const x72 = 'x'.repeat(72);
const WRONG = [
  'alice:Wonderland', 'bob:builder-4', 'carol:sha1secret', 'dave:dave123', 'erin:sha-256 pas',
  'frank:sha512', 'grace:plain-text', 'heidi:Grüße, 世', `ivan:${x72.slice(1)}`, 'judy:a:b',
  'judy:a:b:c:', 'nobody:x', 'ALICE:wonderland', 'alice:', ':wonderland',
  'bob:$apr1$bA/d.jiS$DObwA1OHmb3Pova8uRxfU0',
  'alice:$2y$10$QcpDvzLCR1CYZrZ/BzAqCuExAFuG/01qyA9i0R0ZSG/tPfO9r.gFK',
  'carol:{SHA}tvRYxZ90euHhTV+mXlnRmD73S7c=', 'dave:eacLqnioFQfRg',
];

interface Site {
  server: RunningServer;
  parent: string;
  url(env: string): string;
  userFile(env: string): string;
}

const ENVIRONMENTS: Record<string, Record<string, string> | null> = {
  login: {},
  site: { paths: '/' },
  multi: { paths: '/login, /private/' },
  missing: { user_file: 'no-such.htpasswd' },
  unset: { user_file: '' },
  onlybob: { require: 'user bob' },
  devs: { require: 'group developers' },
  badrule: { require: 'everyone please' },
  quoted: { realm: 'Say "hi" \\ now' },
  nocache: { cache_size: '0' },
};

async function makeSite(): Promise<Site> {
  const parent = await tempDir('gh-auth-basic-');
  const files = await tempDir('gh-auth-basic-files-');
  for (const [name, settings] of Object.entries(ENVIRONMENTS)) {
    const userFile = path.join(files, `${name}.htpasswd`);
    fs.copyFileSync(path.join(fixturesDir(), 'htpasswd'), userFile);
    await makeEnvironment(parent, name, { config: {
      components: { 'auth_basic.*': 'enabled' },
      'auth-basic': { user_file: userFile, realm: 'Trac', ...settings },
    } });
  }
  const granted = await admin([path.join(parent, 'devs'), 'permission', 'add', 'alice', 'developers']);
  if (granted.status !== 0) throw new Error(`permission add failed: ${granted.err}`);

  const server = await startServer({ envParentDir: parent });
  return {
    server, parent,
    url: (env) => `${server.url}/${env}`,
    userFile: (env) => path.join(files, `${env}.htpasswd`),
  };
}

const site = skip ? undefined : makeSite();
t.teardown(async () => {
  await (await site?.catch(() => undefined))?.server.close();
  await cleanup();
});

void t.test('/login: every fixture user, right and wrong passwords', { skip }, async (t) => {
  const { url } = await site as Site;
  const right = Object.entries(FIXTURE_PASSWORDS).filter(([user]) => user !== 'grace')
    .map(([user, password]) => `${user}:${password}`);
  for (const credentials of [...right, 'dave:dave1234', `ivan:${x72}`]) {
    const reply = await curl(`${url('login')}/login`, '-u', credentials);
    t.equal(reply.status, 303, `${credentials.split(':')[0]} signs in`);
    t.match(reply.headers['set-cookie'], /^trac_auth=[^;]+/, 'with a trac_auth cookie');
  }
  for (const credentials of WRONG) {
    const reply = await curl(`${url('login')}/login`, '-u', credentials);
    t.equal(reply.status, 401, `refused: ${credentials.slice(0, 30)}`);
    t.equal(reply.headers['www-authenticate'], CHALLENGE);
    t.notOk(reply.headers['set-cookie'], 'no cookie');
  }

  const bare = await curl(`${url('login')}/login`);
  t.equal(bare.status, 401, 'no credentials: challenged');
  t.equal(bare.headers['www-authenticate'], CHALLENGE);
  t.notMatch(bare.body, /\bat \S+ \(/, 'no stack trace');
});

void t.test('malformed Authorization headers get 400 or 431, never 500', { skip }, async (t) => {
  const { url } = await site as Site;
  const headers = ['Basic', 'Basic !!!', 'Basic YWxpY2U=', 'Basic Og==', 'Basic YWJjZA===',
    `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`, `Basic ${'A'.repeat(6000)}`,
    `Basic ${'A'.repeat(30000)}`, 'Digest username="alice"', 'basic'];
  for (const header of headers) {
    const reply = await curl(`${url('login')}/login`, '-H', `Authorization: ${header}`);
    t.ok([400, 401, 431].includes(reply.status), `${header.slice(0, 24)} -> ${reply.status}`);
  }
  const lowerCase = await curl(`${url('login')}/login`, '-H',
    `Authorization: bAsIc ${Buffer.from('bob:builder-42').toString('base64').replace(/=+$/, '')}`);
  t.equal(lowerCase.status, 303, 'scheme in any case, base64 without padding');
});

void t.test('the cookie carries the session; other pages stay open in /login mode', { skip },
  async (t) => {
    const { url } = await site as Site;
    const jar = path.join(await tempDir('gh-auth-basic-jar-'), 'jar');
    await curl(`${url('login')}/login`, '-c', jar, '-u', 'alice:wonderland');
    const home = await curl(`${url('login')}/`, '-b', jar);
    t.equal(home.status, 200);
    t.match(home.body, /alice/, 'the home page names alice');
    const anonymous = await curl(`${url('login')}/`);
    t.equal(anonymous.status, 200, 'the home page does not ask for a password');
    t.notOk(anonymous.headers['www-authenticate']);
  });

void t.test('a change made with htpasswd counts on the next requests, no restart', { skip },
  async (t) => {
    const { url, userFile } = await site as Site;
    const signIn = async (credentials: string) =>
      (await curl(`${url('login')}/login`, '-u', credentials)).status;
    t.equal(await signIn('newbie:fresh-one'), 401);
    execFileSync('htpasswd', ['-bB', '-C', '5', userFile('login'), 'newbie', 'fresh-one']);
    t.ok(await eventually(async () => await signIn('newbie:fresh-one') === 303, 5000, 50),
      'a new user signs in');
    execFileSync('htpasswd', ['-b', userFile('login'), 'bob', 'changed-now']);
    t.ok(await eventually(async () => await signIn('bob:builder-42') === 401, 5000, 50),
      'the old password stops working, cached or not');
    t.equal(await signIn('bob:changed-now'), 303);
    execFileSync('htpasswd', ['-D', userFile('login'), 'newbie']);
    t.ok(await eventually(async () => await signIn('newbie:fresh-one') === 401, 5000, 50),
      'a removed user is refused');
  });

void t.test('whole-site mode: every page asks', { skip }, async (t) => {
  const { url } = await site as Site;
  for (const page of ['/', '/about', '/login', '/chrome/common/gatehouse.css', '/no/such/page']) {
    const reply = await curl(`${url('site')}${page}`);
    t.equal(reply.status, 401, `${page} asks`);
    t.equal(reply.headers['www-authenticate'], CHALLENGE);
  }
  const home = await curl(`${url('site')}/`, '-u', 'erin:sha-256 pass');
  t.equal(home.status, 200);
  t.match(home.body, /erin/, 'the page is served to erin');
  t.equal((await curl(`${url('site')}/`, '-u', 'erin:wrong')).status, 401);
  t.equal((await curl(`${url('site')}/`, '-H', 'Authorization: Bearer abc')).status, 401,
    'another scheme does not get past');
});

void t.test('several protected paths cover whole segments', { skip }, async (t) => {
  const { url } = await site as Site;
  t.equal((await curl(`${url('multi')}/private`)).status, 401);
  t.equal((await curl(`${url('multi')}/private/x/y`)).status, 401);
  t.not((await curl(`${url('multi')}/privateer`)).status, 401, '/privateer is not under /private');
  t.equal((await curl(`${url('multi')}/`)).status, 200);
});

void t.test('a missing or unset user file lets nobody in: 503', { skip }, async (t) => {
  const { url, userFile, parent } = await site as Site;
  const missing = await curl(`${url('missing')}/login`, '-u', 'alice:wonderland');
  t.equal(missing.status, 503);
  t.match(missing.body, /unavailable/);
  t.notMatch(missing.body, /no-such\.htpasswd/, 'the file path stays in the log, not the page');
  t.notOk(missing.headers['set-cookie']);
  t.equal((await curl(`${url('missing')}/login`)).status, 401, 'without credentials: the challenge');

  fs.copyFileSync(userFile('missing'), path.join(parent, 'missing', 'conf', 'no-such.htpasswd'));
  t.ok(await eventually(async () =>
    (await curl(`${url('missing')}/login`, '-u', 'alice:wonderland')).status === 303, 5000, 50),
  'works once the file appears');

  const unset = await curl(`${url('unset')}/login`, '-u', 'alice:wonderland');
  t.equal(unset.status, 503);
  t.match(unset.body, /user_file is not set/);
});

void t.test('require: named users and groups', { skip }, async (t) => {
  const { url } = await site as Site;
  t.equal((await curl(`${url('onlybob')}/login`, '-u', 'bob:builder-42')).status, 303);
  const alice = await curl(`${url('onlybob')}/login`, '-u', 'alice:wonderland');
  t.equal(alice.status, 401, 'a valid user not named is refused');
  t.equal(alice.headers['www-authenticate'], CHALLENGE);

  t.equal((await curl(`${url('devs')}/login`, '-u', 'alice:wonderland')).status, 303,
    'alice is in developers');
  t.equal((await curl(`${url('devs')}/login`, '-u', 'bob:builder-42')).status, 401, 'bob is not');

  const bad = await curl(`${url('badrule')}/login`, '-u', 'alice:wonderland');
  t.equal(bad.status, 500, 'a malformed require option refuses rather than letting anyone in');
  t.match(bad.body, /require/);
});

void t.test('the realm is quoted safely; the cache can be off', { skip }, async (t) => {
  const { url } = await site as Site;
  const quoted = await curl(`${url('quoted')}/login`);
  t.equal(quoted.headers['www-authenticate'], 'Basic realm="Say \\"hi\\" \\\\ now", charset="UTF-8"');
  for (let i = 0; i < 3; i += 1) {
    t.equal((await curl(`${url('nocache')}/login`, '-u', 'heidi:Grüße, 世界')).status, 303);
  }
  t.equal((await curl(`${url('nocache')}/login`, '-u', 'heidi:Grüße')).status, 401);
});

void t.test('failed sign-ins are logged at warn with user and address, never the password', { skip },
  async (t) => {
    const { parent } = await site as Site;
    const port = await freePort();
    const server = new ServerProcess(['--env', path.join(parent, 'login'), '--host', '127.0.0.1',
      '--port', String(port)], { cwd: parent, env: { GATEHOUSE_LOG_LEVEL: 'info' } });
    t.teardown(() => server.stop());
    const base = `http://127.0.0.1:${port}`;
    t.ok(await server.waitUntilServing(base), 'the server starts');

    t.equal((await curl(`${base}/login`, '-u', 'carol:Sesame-Opens-9')).status, 401);
    t.equal((await curl(`${base}/login`, '-u', 'mallory:Sesame-Opens-9')).status, 401);
    t.equal((await curl(`${base}/login`, '-u', 'carol:sha1 secret')).status, 303);
    t.ok(await server.waitForOutput(/mallory/), 'the log has the failures');

    const failures = server.logLines().filter((line) => line.msg === 'sign-in failed');
    t.match(failures, [
      { level: 40, user: 'carol', clientAddress: '127.0.0.1', reason: 'wrong password' },
      { level: 40, user: 'mallory', clientAddress: '127.0.0.1', reason: 'unknown user' },
    ]);
    t.notMatch(server.stdout + server.stderr, /Sesame-Opens-9|sha1 secret/, 'no password anywhere');
    t.notMatch(server.stdout, /Basic [A-Za-z0-9+/=]{8,}/, 'no Authorization header anywhere');
  });
