/**
 * The login module from a browser's side: the trac_auth cookie and its row, where /login sends
 * the user back to, session fixation, unknown and expired cookies, check_auth_ip, lifetimes,
 * logout with its form token, user-name normalisation, and what a denied user sees. The scheme
 * is the test_auth site plugin (X-Test-User on /login).
 */
import t from 'tap';
import crypto from 'node:crypto';
import path from 'node:path';
import { startServer, type RunningServer } from '../core/server-app';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import {
  admin, assertNoStackTrace, eventually, installPlugin, isExpiry, send, setCookies, signIn, whoami, withEnvDb,
} from './fixtures/core-kit';

interface Site {
  server: RunningServer;
  url: string;
  parent: string;
}

const ENVIRONMENTS: Record<string, { projectName: string; config?: Record<string, Record<string, string>>;
  plugins: string[] }> = {
  alpha: { projectName: 'Alpha Project', plugins: ['test_auth'] },
  beta: { projectName: 'Beta Project', plugins: ['test_auth'] },
  ipcheck: { projectName: 'IP Check', config: { trac: { check_auth_ip: 'true' } }, plugins: ['test_auth'] },
  timed: { projectName: 'Timed', config: { trac: { auth_cookie_lifetime: '3600' } }, plugins: ['test_auth'] },
  names: { projectName: 'Names', config: { trac: { strip_domain: 'true', ignore_auth_case: 'true' } },
    plugins: ['test_auth'] },
  cookieopts: { projectName: 'Cookie Options', config: { trac: { secure_cookies: 'true', auth_cookie_path: '/' } },
    plugins: ['test_auth'] },
  bare: { projectName: 'No Scheme', plugins: [] },
  shaky: { projectName: 'Shaky', plugins: ['exploding_auth', 'test_auth'] },
};

async function makeSite(): Promise<Site> {
  const parent = await tempDir('gh-core-login-');
  for (const [name, spec] of Object.entries(ENVIRONMENTS)) {
    const env = await makeEnvironment(parent, name, { projectName: spec.projectName, config: spec.config });
    for (const plugin of spec.plugins) await installPlugin(path.join(env, 'plugins'), plugin);
  }
  const server = await startServer({ envParentDir: parent });
  return { server, url: server.url, parent };
}

const site = makeSite();
t.teardown(async () => {
  await (await site.catch(() => undefined))?.server.close();
  await cleanup();
});

interface CookieRow {
  name: string;
  ipnr: string;
  time: number;
}

async function cookieRow(name: string, cookie: string): Promise<CookieRow | undefined> {
  const { server, parent } = await site;
  const row = await withEnvDb(server, path.join(parent, name), name, (db) =>
    db.get<CookieRow>('SELECT name, ipnr, time FROM auth_cookie WHERE cookie = ?', [cookie]));
  return row && { name: row.name, ipnr: row.ipnr, time: Number(row.time) };
}

async function runSql(name: string, sql: string, params: Array<string | number>): Promise<number> {
  const { server, parent } = await site;
  return withEnvDb(server, path.join(parent, name), name, async (db) => (await db.run(sql, params)).changes);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

void t.test('signing in answers 303 with a fresh HttpOnly SameSite=Lax trac_auth for this environment', async (t) => {
  const { url } = await site;
  const challenge = await send(`${url}/alpha/login`);
  t.equal(challenge.status, 401, 'without credentials the scheme challenges');
  t.equal(challenge.headers['www-authenticate'], 'X-Test-User realm="test"');
  t.notOk(setCookies(challenge).get('trac_auth'), 'and no session is made');

  const before = nowSeconds();
  const reply = await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice' } });
  const after = nowSeconds();
  t.equal(reply.status, 303);
  t.equal(reply.headers.location, '/alpha/', 'back to the environment home by default');
  const cookie = setCookies(reply).get('trac_auth');
  t.ok(cookie, 'a trac_auth cookie is set');
  if (!cookie) return;
  t.match(cookie.value, /^[0-9a-f]{32}$/, '128 random bits as hex');
  t.equal(cookie.attributes.httponly, true, 'HttpOnly');
  t.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
  t.equal(cookie.attributes.path, '/alpha', 'Path is the environment base path');
  t.notOk(cookie.attributes['max-age'], 'without auth_cookie_lifetime it is a browser-session cookie');
  t.notOk(cookie.attributes.secure, 'not Secure unless secure_cookies');

  const row = await cookieRow('alpha', cookie.value);
  t.equal(row?.name, 'alice', 'auth_cookie.name');
  t.equal(row?.ipnr, '127.0.0.1', 'auth_cookie.ipnr');
  t.ok(row && row.time >= before && row.time <= after, `auth_cookie.time is the sign-in time (${row?.time})`);

  const who = await whoami(`${url}/alpha`, cookie.value);
  t.equal(who.user, 'alice', 'the cookie is alice on a path the scheme does not protect');
  t.equal(who.authenticatedBy, 'cookie');
  const home = await send(`${url}/alpha/`, { headers: { cookie: `trac_auth=${cookie.value}` } });
  t.match(home.body, /signed in as <strong[^>]*>alice<\/strong>/, 'the home page shows the signed-in user');

  const values = new Set<string>([cookie.value]);
  for (let i = 0; i < 8; i += 1) values.add((await signIn(`${url}/alpha`, 'alice')).cookie);
  t.equal(values.size, 9, 'every sign-in gets a value of its own');
});

void t.test('after signing in the user goes back only to a page of this environment', async (t) => {
  const { url } = await site;
  const origin = url;
  const cases: Array<[string, string]> = [
    ['/alpha/wiki/Start?version=2', '/alpha/wiki/Start?version=2'],
    [`${origin}/alpha/report/1`, '/alpha/report/1'],
    ['/alpha', '/alpha/'],
    ['http://evil.example/alpha/x', '/alpha/'],
    ['//evil.example/alpha/x', '/alpha/'],
    ['/\\evil.example/alpha/x', '/alpha/'],
    ['https://127.0.0.1/alpha/x', '/alpha/'],
    ['javascript:alert(1)', '/alpha/'],
    ['/beta/', '/alpha/'],
    ['/alphabet/x', '/alpha/'],
    ['/alpha/../beta/', '/alpha/'],
    ['/alpha/%2e%2e/beta/', '/alpha/'],
    ['/', '/alpha/'],
    ['/alpha/login', '/alpha/'],
    ['/alpha/login?referer=/alpha/x', '/alpha/'],
    ['/alpha/logout', '/alpha/'],
    ['/alpha/x\r\nSet-Cookie: evil=1', '/alpha/'],
  ];
  for (const [referer, expected] of cases) {
    const reply = await send(`${url}/alpha/login?referer=${encodeURIComponent(referer)}`,
      { headers: { 'x-test-user': 'alice' } });
    t.equal(reply.status, 303, `referer=${JSON.stringify(referer)}: 303`);
    t.equal(reply.headers.location, expected, `referer=${JSON.stringify(referer)} goes to ${expected}`);
    t.notOk(setCookies(reply).get('evil'), 'no header injected');
  }

  const fromHeader = await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice',
    referer: `${origin}/alpha/timeline?from=today` } });
  t.equal(fromHeader.headers.location, '/alpha/timeline?from=today', 'the Referer header is honoured inside the env');
  const foreignHeader = await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice',
    referer: 'http://evil.example/alpha/x' } });
  t.equal(foreignHeader.headers.location, '/alpha/', 'a foreign Referer header is not');
});

void t.test('a trac_auth value the client brought is never kept across a sign-in', async (t) => {
  const { url } = await site;
  const planted = crypto.randomBytes(16).toString('hex');
  const reply = await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice', cookie: `trac_auth=${planted}` } });
  t.equal(reply.status, 303);
  const fresh = setCookies(reply).get('trac_auth')?.value;
  t.ok(fresh && fresh !== planted, 'the sign-in sets a new value');
  t.equal((await whoami(`${url}/alpha`, planted)).user, 'anonymous', 'the planted value is nobody');
  t.equal(await cookieRow('alpha', planted), undefined, 'and has no row');
  t.equal((await whoami(`${url}/alpha`, fresh)).user, 'alice', 'the new value is alice');

  // An attacker's own valid session planted in the victim's browser.
  const mallory = (await signIn(`${url}/alpha`, 'mallory')).cookie;
  const victim = await send(`${url}/alpha/login`, { headers: { 'x-test-user': 'alice', cookie: `trac_auth=${mallory}` } });
  const victimCookie = setCookies(victim).get('trac_auth')?.value;
  t.ok(victimCookie && victimCookie !== mallory, 'the victim gets a value of her own');
  t.not((await whoami(`${url}/alpha`, mallory)).user, 'alice', 'the attacker\'s value never becomes alice');
});

void t.test('an unknown or malformed trac_auth is anonymous and the response expires it', async (t) => {
  const { url } = await site;
  const beta = (await signIn(`${url}/beta`, 'bob')).cookie;
  const cases: Array<[string, string]> = [
    ['unknown value', crypto.randomBytes(16).toString('hex')],
    ['malformed value', 'not-a-cookie<script>'],
    ['a sibling environment\'s valid value', beta],
  ];
  for (const [what, value] of cases) {
    const reply = await send(`${url}/alpha/whoami`, { headers: { cookie: `trac_auth=${value}` } });
    t.equal(reply.status, 200, what);
    t.equal((JSON.parse(reply.body) as { user: string }).user, 'anonymous', `${what}: anonymous`);
    const expiry = setCookies(reply).get('trac_auth');
    t.ok(isExpiry(expiry), `${what}: the response expires the cookie`);
    t.equal(expiry?.attributes.path, '/alpha', `${what}: on the path it was set for`);
  }
  t.equal((await whoami(`${url}/beta`, beta)).user, 'bob', 'trying it on alpha did not end bob\'s beta session');

  const both = await send(`${url}/alpha/logout`, { headers: { cookie: `trac_auth=${cases[0][1]}` } });
  const set = setCookies(both);
  t.ok(isExpiry(set.get('trac_auth')) && set.get('trac_form_token')?.value,
    'a page that expires trac_auth and sets a form token sends both cookies');
});

void t.test('check_auth_ip: the cookie is valid only from the address that signed in', async (t) => {
  const { url } = await site;
  const { cookie } = await signIn(`${url}/ipcheck`, 'alice');
  const elsewhere = await send(`${url}/ipcheck/whoami`,
    { headers: { cookie: `trac_auth=${cookie}` }, localAddress: '127.0.0.2' });
  t.equal((JSON.parse(elsewhere.body) as { user: string; remote: string }).remote, '127.0.0.2',
    'the request came from another address');
  t.equal((JSON.parse(elsewhere.body) as { user: string }).user, 'anonymous', 'another address is anonymous');
  t.ok(isExpiry(setCookies(elsewhere).get('trac_auth')), 'and the cookie is expired there');
  t.equal((await whoami(`${url}/ipcheck`, cookie)).user, 'alice', 'the signing-in address still works');

  const { cookie: unchecked } = await signIn(`${url}/alpha`, 'alice');
  t.equal((await whoami(`${url}/alpha`, unchecked, { localAddress: '127.0.0.2' })).user, 'alice',
    'without check_auth_ip any address may carry it');
});

void t.test('auth_cookie_lifetime is enforced by the server and slides with use', async (t) => {
  const { url } = await site;
  const signed = await signIn(`${url}/timed`, 'alice');
  const maxAge = setCookies(signed.reply).get('trac_auth')?.attributes['max-age'];
  t.equal(maxAge, '3600', 'the cookie carries the lifetime');

  // Used 50 minutes ago: still valid, and the use slides the lifetime.
  await runSql('timed', 'UPDATE auth_cookie SET time = ? WHERE cookie = ?', [nowSeconds() - 3000, signed.cookie]);
  const used = await send(`${url}/timed/whoami`, { headers: { cookie: `trac_auth=${signed.cookie}` } });
  t.equal((JSON.parse(used.body) as { user: string }).user, 'alice', 'a session used within its lifetime is valid');
  const row = await cookieRow('timed', signed.cookie);
  t.ok(row && row.time >= nowSeconds() - 5, 'the row\'s time moved to the latest use');
  const renewed = setCookies(used).get('trac_auth');
  t.equal(renewed?.value, signed.cookie, 'the browser\'s cookie is renewed with the same value');
  t.equal(renewed?.attributes['max-age'], '3600', 'for another full lifetime');

  // Idle longer than the lifetime: the server refuses it even though the browser still sends it.
  const stale = await signIn(`${url}/timed`, 'alice');
  await runSql('timed', 'UPDATE auth_cookie SET time = ? WHERE cookie = ?', [nowSeconds() - 3700, stale.cookie]);
  const refused = await send(`${url}/timed/whoami`, { headers: { cookie: `trac_auth=${stale.cookie}` } });
  t.equal((JSON.parse(refused.body) as { user: string }).user, 'anonymous', 'an idle session past its lifetime ends');
  t.ok(isExpiry(setCookies(refused).get('trac_auth')), 'and its cookie is expired');

  // Without a lifetime, a session idle for 9 days is still alive (Trac's hard purge is not copied).
  const longLived = await signIn(`${url}/alpha`, 'alice');
  await runSql('alpha', 'UPDATE auth_cookie SET time = ? WHERE cookie = ?', [nowSeconds() - 9 * 86400, longLived.cookie]);
  t.equal((await whoami(`${url}/alpha`, longLived.cookie)).user, 'alice', 'an old but recently-used-enough session lives');
});

void t.test('deleting the row ends the session within about a second', async (t) => {
  const { url } = await site;
  const { cookie } = await signIn(`${url}/alpha`, 'alice');
  t.equal((await whoami(`${url}/alpha`, cookie)).user, 'alice', 'signed in (and now cached)');
  t.equal(await runSql('alpha', 'DELETE FROM auth_cookie WHERE cookie = ?', [cookie]), 1, 'row deleted');
  t.ok(await eventually(async () => (await whoami(`${url}/alpha`, cookie)).user === 'anonymous', 2500),
    'the session ends without a restart');
});

void t.test('logout: GET shows a form and changes nothing; POST with the token ends only this sign-in', async (t) => {
  const { url } = await site;
  const laptop = (await signIn(`${url}/alpha`, 'alice')).cookie;
  const phone = (await signIn(`${url}/alpha`, 'alice')).cookie;

  const form = await send(`${url}/alpha/logout`, { headers: { cookie: `trac_auth=${laptop}` } });
  t.equal(form.status, 200);
  t.match(form.body, /<form method="post" action="\/alpha\/logout">/);
  const fieldToken = /name="__FORM_TOKEN" value="([^"]+)"/.exec(form.body)?.[1];
  const cookieToken = setCookies(form).get('trac_form_token')?.value;
  t.ok(fieldToken && fieldToken === cookieToken, 'the form carries the token its cookie holds');
  t.equal((await whoami(`${url}/alpha`, laptop)).user, 'alice', 'GET /logout signed nobody out');
  t.ok(await cookieRow('alpha', laptop), 'the row is still there');
  const token = String(fieldToken);

  const formType = { 'content-type': 'application/x-www-form-urlencoded' };
  const attempts: Array<[string, Record<string, string>, string | undefined]> = [
    ['no token at all', { cookie: `trac_auth=${laptop}` }, undefined],
    ['cookie token without the field', { cookie: `trac_auth=${laptop}; trac_form_token=${token}`, ...formType }, ''],
    ['a wrong field', { cookie: `trac_auth=${laptop}; trac_form_token=${token}`, ...formType },
      `__FORM_TOKEN=${'0'.repeat(token.length)}`],
    ['the field without the cookie', { cookie: `trac_auth=${laptop}`, ...formType }, `__FORM_TOKEN=${token}`],
  ];
  for (const [what, headers, body] of attempts) {
    const reply = await send(`${url}/alpha/logout`, { method: 'POST', headers, body });
    t.equal(reply.status, 400, `${what}: 400`);
    t.match(reply.body, /form token/i, `${what}: the page says why`);
    t.equal((await whoami(`${url}/alpha`, laptop)).user, 'alice', `${what}: still signed in`);
  }

  const out = await send(`${url}/alpha/logout`, { method: 'POST',
    headers: { cookie: `trac_auth=${laptop}; trac_form_token=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: `__FORM_TOKEN=${encodeURIComponent(token)}` });
  t.equal(out.status, 303, 'logout answers 303');
  t.equal(out.headers.location, '/alpha/');
  const expiry = setCookies(out).get('trac_auth');
  t.ok(isExpiry(expiry), 'the cookie is expired');
  t.equal(expiry?.attributes.path, '/alpha');
  t.equal(await cookieRow('alpha', laptop), undefined, 'this sign-in\'s row is gone');
  t.ok(await eventually(async () => (await whoami(`${url}/alpha`, laptop)).user === 'anonymous'),
    'the laptop is signed out');
  t.equal((await whoami(`${url}/alpha`, phone)).user, 'alice', 'the phone stays signed in');
  t.ok(await cookieRow('alpha', phone), 'with its row');
});

void t.test('user names are normalised before anything sees them', async (t) => {
  const { url, parent } = await site;
  const granted = await admin([path.join(parent, 'names'), 'permission', 'add', 'alice', 'TEST_VIEW']);
  t.equal(granted.status, 0, 'alice may TEST_VIEW in names');

  for (const [given, expected] of [['EXAMPLE\\Alice', 'alice'], ['ALICE@EXAMPLE.ORG', 'alice'], ['Bob', 'bob']]) {
    const { cookie } = await signIn(`${url}/names`, given);
    t.equal((await whoami(`${url}/names`, cookie)).user, expected, `${given} is ${expected}`);
    t.equal((await cookieRow('names', cookie))?.name, expected, `${given} is stored as ${expected}`);
    if (expected === 'alice') {
      const page = await send(`${url}/names/needs-perm`, { headers: { cookie: `trac_auth=${cookie}` } });
      t.equal(page.status, 200, `${given} holds alice's grant`);
    }
  }

  const { cookie } = await signIn(`${url}/alpha`, 'EXAMPLE\\Alice');
  t.equal((await whoami(`${url}/alpha`, cookie)).user, 'EXAMPLE\\Alice', 'without the options the name is kept as is');
});

void t.test('/login without any scheme says authentication is not configured', async (t) => {
  const { url } = await site;
  const reply = await send(`${url}/bare/login`);
  t.ok(reply.status >= 400, `an error status (${reply.status})`);
  t.match(reply.body, /authentication is not configured/i);
  t.notOk(setCookies(reply).get('trac_auth'), 'no session is made');
  assertNoStackTrace(t, reply, '/login without a scheme');
  const asJson = await send(`${url}/bare/login`, { headers: { accept: 'application/json' } });
  t.equal((JSON.parse(asJson.body) as { error: { code: string } }).error.code, 'GH_ERR_AUTH_NOT_CONFIGURED');
});

void t.test('a denied request is a 403 for a signed-in user and a sign-in prompt for anonymous', async (t) => {
  const { url, parent } = await site;
  t.equal((await admin([path.join(parent, 'alpha'), 'permission', 'add', 'alice', 'TEST_VIEW'])).status, 0);
  t.equal((await admin([path.join(parent, 'beta'), 'permission', 'add', 'authenticated', 'TEST_VIEW'])).status, 0);

  const alice = (await signIn(`${url}/alpha`, 'alice')).cookie;
  const bob = (await signIn(`${url}/alpha`, 'bob')).cookie;
  t.ok(await eventually(async () =>
    (await send(`${url}/alpha/needs-perm`, { headers: { cookie: `trac_auth=${alice}` } })).status === 200),
  'alice, granted TEST_VIEW, gets the page');
  const granted = await send(`${url}/alpha/needs-perm`, { headers: { cookie: `trac_auth=${alice}` } });
  t.equal(granted.body, 'TEST_VIEW granted to alice in Alpha Project\n');

  const denied = await send(`${url}/alpha/needs-perm`, { headers: { cookie: `trac_auth=${bob}` } });
  t.equal(denied.status, 403, 'bob, signed in without the grant, gets 403');
  t.match(denied.body, 'TEST_VIEW');
  t.notMatch(denied.body, /not signed in/i, 'bob is not asked to sign in');

  const anonymous = await send(`${url}/alpha/needs-perm`);
  t.equal(anonymous.status, 403);
  t.match(anonymous.body, /not signed in/i, 'anonymous is told to sign in');
  const href = /href="([^"]*\/login[^"]*)"/.exec(anonymous.body.slice(anonymous.body.indexOf('<main')))?.[1];
  t.equal(href?.replace(/&amp;/g, '&'), '/alpha/login?referer=%2Falpha%2Fneeds-perm', 'the prompt links to /login');
  const followed = await send(`${url}${String(href).replace(/&amp;/g, '&')}`, { headers: { 'x-test-user': 'alice' } });
  t.equal(followed.headers.location, '/alpha/needs-perm', 'and signing in there comes back to the page');
  const anonymousJson = await send(`${url}/alpha/needs-perm`, { headers: { accept: 'application/json' } });
  t.equal((JSON.parse(anonymousJson.body) as { error: { code: string } }).error.code, 'GH_ERR_PERM_DENIED');

  const carol = (await signIn(`${url}/beta`, 'carol')).cookie;
  t.ok(await eventually(async () =>
    (await send(`${url}/beta/needs-perm`, { headers: { cookie: `trac_auth=${carol}` } })).status === 200),
  'in beta every signed-in user holds TEST_VIEW through "authenticated"');
  t.equal((await send(`${url}/beta/needs-perm`)).status, 403, 'anonymous does not');
});

void t.test('secure_cookies and auth_cookie_path shape the cookie', async (t) => {
  const { url } = await site;
  const { reply } = await signIn(`${url}/cookieopts`, 'alice');
  const cookie = setCookies(reply).get('trac_auth');
  t.equal(cookie?.attributes.secure, true, 'Secure');
  t.equal(cookie?.attributes.path, '/', 'Path from auth_cookie_path');
});

void t.test('an authenticator that throws is skipped and the request goes on', async (t) => {
  const { url } = await site;
  const who = await send(`${url}/shaky/whoami`);
  t.equal(who.status, 200, 'the page still answers');
  t.equal((JSON.parse(who.body) as { user: string }).user, 'anonymous', 'as anonymous');
  assertNoStackTrace(t, who, 'throwing authenticator');
  const { cookie } = await signIn(`${url}/shaky`, 'alice');
  t.equal((await whoami(`${url}/shaky`, cookie)).user, 'alice', 'the next scheme and the cookie still work');
});

void t.test('concurrent sign-ins all succeed: many users at once, and one new user in many tabs', async (t) => {
  const { url } = await site;
  const many = await Promise.all(Array.from({ length: 32 }, (_, i) =>
    send(`${url}/alpha/login`, { headers: { 'x-test-user': `crowd${i}`, accept: 'application/json' } })));
  const manyFailed = many.filter((reply) => reply.status !== 303);
  t.same(manyFailed.map((reply) => `${reply.status} ${reply.body.slice(0, 160)}`), [],
    '32 different users signing in at once all get 303');

  const tabs = await Promise.all(Array.from({ length: 16 }, () =>
    send(`${url}/alpha/login`, { headers: { 'x-test-user': 'first-timer', accept: 'application/json' } })));
  const tabsFailed = tabs.filter((reply) => reply.status !== 303);
  t.same(tabsFailed.map((reply) => `${reply.status} ${reply.body.slice(0, 160)}`), [],
    'a user\'s first sign-in from 16 tabs at once all get 303');
  const cookies = new Set(tabs.map((reply) => setCookies(reply).get('trac_auth')?.value));
  t.equal(cookies.size, 16, 'each tab has a session of its own');
});

void t.test('expired sign-ins are purged from auth_cookie; live ones stay', async (t) => {
  const parent = await tempDir('gh-core-purge-');
  const envPath = await makeEnvironment(parent, 'purge', { config: { trac: { auth_cookie_lifetime: '3600' } } });
  await installPlugin(path.join(envPath, 'plugins'), 'test_auth');
  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());
  const rows = (sql: string, params: Array<string | number> = []) =>
    withEnvDb(server, envPath, 'purge', (db) => db.all<{ cookie: string }>(sql, params));

  const stale = '0123456789abcdef0123456789abcdef';
  const idleButAlive = 'fedcba9876543210fedcba9876543210';
  await withEnvDb(server, envPath, 'purge', async (db) => {
    await db.run('INSERT INTO auth_cookie (cookie, name, ipnr, time) VALUES (?, ?, ?, ?)',
      [stale, 'old', '127.0.0.1', nowSeconds() - 7200]);
    await db.run('INSERT INTO auth_cookie (cookie, name, ipnr, time) VALUES (?, ?, ?, ?)',
      [idleButAlive, 'recent', '127.0.0.1', nowSeconds() - 1800]);
  });

  const fresh = await signIn(server.url, 'alice');
  const left = (await rows('SELECT cookie FROM auth_cookie ORDER BY cookie')).map((row) => row.cookie);
  t.notOk(left.includes(stale), 'a row idle past the lifetime is deleted');
  t.ok(left.includes(idleButAlive), 'a row within its lifetime stays');
  t.ok(left.includes(fresh.cookie), 'the new sign-in is there');
  t.equal((await whoami(server.url, idleButAlive)).user, 'recent', 'and still signs its user in');
});
