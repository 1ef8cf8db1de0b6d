/**
 * URLs and networks: `[trac] base_url` and use_base_url_for_redirect, Host headers that must not
 * stick, serving under --base-path, --trust-proxy and X-Forwarded-*, and `[access]` rules by
 * client network (CIDR, IPv6) per path.
 */
import t from 'tap';
import path from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../core/server-app';
import { setConfigValue } from '../core/config/config-writer';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import {
  assertNoStackTrace, eventually, installPlugin, ipv6LoopbackProblem, send, setCookies, signIn, whoami,
} from './fixtures/core-kit';

const servers: RunningServer[] = [];
t.teardown(async () => {
  for (const server of servers) await server.close();
  await cleanup();
});

async function serve(options: ServerOptions): Promise<string> {
  const server = await startServer(options);
  servers.push(server);
  return server.url;
}

async function envWithProbe(parent: string, name: string, config?: Record<string, Record<string, string>>):
  Promise<string> {
  const env = await makeEnvironment(parent, name, { projectName: `Project ${name}`, config });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  return env;
}

void t.test('absolute URLs come from each request; one request\'s Host never sticks', async (t) => {
  const parent = await tempDir('gh-core-urls-');
  const env = await envWithProbe(parent, 'solo');
  const url = await serve({ env });
  const port = new URL(url).port;

  const first = await whoami(url, undefined, { headers: { host: 'first.example:8080' } });
  t.equal(first.absolute, 'http://first.example:8080/x');
  const second = await whoami(url, undefined, { headers: { host: 'second.example' } });
  t.equal(second.absolute, 'http://second.example/x', 'the second request\'s own Host is used');
  const plain = await whoami(url);
  t.equal(plain.absolute, `http://127.0.0.1:${port}/x`, 'and a third request\'s');
  t.equal(plain.href, '/x', 'relative links have no host at all');
});

void t.test('[trac] base_url makes absolute URLs, and redirects with use_base_url_for_redirect', async (t) => {
  const parent = await tempDir('gh-core-urls-');
  const base = 'https://tracker.example.org/projects/solo';
  const env = await envWithProbe(parent, 'solo', { trac: { base_url: base } });
  const url = await serve({ env });

  const who = await whoami(url, undefined, { headers: { host: 'internal.example:9000' } });
  t.equal(who.absolute, `${base}/x`, 'base_url wins over the Host header');
  const plainLogin = await send(`${url}/login`, { headers: { 'x-test-user': 'alice' } });
  t.equal(plainLogin.headers.location, '/', 'without use_base_url_for_redirect redirects stay relative');

  await setConfigValue(path.join(env, 'conf', 'trac.ini'), 'trac', 'use_base_url_for_redirect', 'true');
  await setConfigValue(path.join(env, 'conf', 'trac.ini'), 'test_auth', 'marker', 'redirects');
  t.ok(await eventually(async () => (await whoami(url)).marker === 'redirects'), 'the change is picked up');

  const login = await send(`${url}/login`, { headers: { 'x-test-user': 'alice' } });
  t.equal(login.status, 303);
  t.equal(login.headers.location, `${base}/`, 'the sign-in redirect is built from base_url');

  const back = await send(`${url}/login`, { headers: { 'x-test-user': 'alice', referer: `${base}/wiki/Page?v=2` } });
  t.equal(back.headers.location, `${base}/wiki/Page?v=2`,
    'a Referer under base_url (what a browser behind the proxy sends) leads back to that page');

  const cookie = setCookies(login).get('trac_auth')?.value ?? '';
  const form = await send(`${url}/logout`, { headers: { cookie: `trac_auth=${cookie}` } });
  const token = /name="__FORM_TOKEN" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const out = await send(`${url}/logout`, { method: 'POST', body: `__FORM_TOKEN=${token}`,
    headers: { cookie: `trac_auth=${cookie}; trac_form_token=${token}`, 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(out.status, 303);
  t.equal(out.headers.location, `${base}/`, 'the sign-out redirect too');
});

void t.test('--base-path serves under the prefix and nowhere else', async (t) => {
  const parent = await tempDir('gh-core-urls-');
  await envWithProbe(parent, 'alpha');
  const url = await serve({ envParentDir: parent, basePath: '/trac' });
  const root = new URL(url).origin;
  t.equal(url, `${root}/trac`);

  const index = await send(`${root}/trac/`);
  t.equal(index.status, 200);
  t.match(index.body, 'href="/trac/alpha/"', 'the index links under the prefix');
  t.equal((await send(`${root}/trac`)).status, 200, 'the prefix without a slash is the index too');

  const home = await send(`${root}/trac/alpha/`);
  t.equal(home.status, 200);
  t.match(home.body, 'Project alpha');
  t.match(home.body, 'href="/trac/alpha/login"', 'links carry the prefix');
  const css = /href="([^"]*gatehouse\.css)"/.exec(home.body)?.[1];
  t.match(css, /^\/trac\/alpha\/chrome\/common\//, 'so does the stylesheet');
  t.equal((await send(`${root}${css}`)).status, 200, 'and it is served there');

  for (const outside of ['/', '/alpha/', '/alpha/whoami', '/tracker/alpha/', '/trac-old/', '/TRAC/alpha/']) {
    const reply = await send(`${root}${outside}`);
    t.equal(reply.status, 404, `${outside} is outside the prefix`);
    t.ok(reply.headers['x-request-id'], `${outside} still has a request id`);
    assertNoStackTrace(t, reply, outside);
  }

  const who = await whoami(`${root}/trac/alpha`);
  t.equal(who.basePath, '/trac/alpha');
  t.equal(who.href, '/trac/alpha/x');
  const { reply } = await signIn(`${root}/trac/alpha`, 'alice');
  t.equal(reply.headers.location, '/trac/alpha/');
  t.equal(setCookies(reply).get('trac_auth')?.attributes.path, '/trac/alpha', 'the cookie path is the base path');
  const escape = await send(`${root}/trac/alpha/login?referer=${encodeURIComponent('/alpha/x')}`,
    { headers: { 'x-test-user': 'alice' } });
  t.equal(escape.headers.location, '/trac/alpha/', 'a return path outside the prefix goes home');

  const solo = await envWithProbe(parent, 'solo-under-prefix');
  const soloUrl = await serve({ env: solo, basePath: '/solo/' });
  t.equal((await whoami(soloUrl)).basePath, '/solo', 'a single environment under a prefix');
  t.equal((await send(`${new URL(soloUrl).origin}/whoami`)).status, 404);
});

const FORWARDED = {
  'x-forwarded-for': '203.0.113.7',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'public.example',
  'x-forwarded-prefix': '/pub',
};

void t.test('--trust-proxy: X-Forwarded-* are honoured only when it is set', async (t) => {
  const parent = await tempDir('gh-core-urls-');
  const env = await envWithProbe(parent, 'proxied');
  const direct = await serve({ env });
  const proxied = await serve({ env, trustProxy: true });

  const ignored = await whoami(direct, undefined, { headers: FORWARDED });
  t.equal(ignored.remote, '127.0.0.1', 'without --trust-proxy X-Forwarded-For is ignored');
  t.equal(ignored.scheme, 'http', 'and X-Forwarded-Proto');
  t.equal(ignored.host, `127.0.0.1:${new URL(direct).port}`, 'and X-Forwarded-Host');
  t.equal(ignored.basePath, '', 'and X-Forwarded-Prefix');
  const ignoredLogin = await signIn(direct, 'alice', { headers: FORWARDED });
  t.equal(ignoredLogin.reply.headers.location, '/');

  const honoured = await whoami(proxied, undefined, { headers: FORWARDED });
  t.equal(honoured.remote, '203.0.113.7', 'with --trust-proxy the client address comes from the proxy');
  t.equal(honoured.scheme, 'https');
  t.equal(honoured.host, 'public.example');
  t.equal(honoured.basePath, '/pub');
  t.equal(honoured.absolute, 'https://public.example/pub/x');
  const login = await signIn(proxied, 'alice', { headers: FORWARDED });
  t.equal(login.reply.headers.location, '/pub/', 'redirects carry the forwarded prefix');
  t.equal(setCookies(login.reply).get('trac_auth')?.attributes.path, '/pub', 'so does the cookie path');

  const noHeaders = await whoami(proxied);
  t.equal(noHeaders.remote, '127.0.0.1', 'a request without the headers is taken as it comes');

  // A client can put anything in X-Forwarded-For; a proxy such as Apache's mod_proxy (and nginx
  // with $proxy_add_x_forwarded_for) appends the address it saw. Trusting one proxy means
  // trusting only that last entry.
  const spoofed = await whoami(proxied, undefined,
    { headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.7' } });
  t.equal(spoofed.remote, '203.0.113.7', 'the address the proxy appended counts, not what the client wrote');
});

void t.test('a forwarded prefix can never point links or redirects at another host or outside the site', async (t) => {
  // nginx and Apache pass a client's own X-Forwarded-Prefix through unless told otherwise (the
  // deploy snippets do not set it), so under --trust-proxy its value is only partly trusted.
  const parent = await tempDir('gh-core-urls-');
  const env = await envWithProbe(parent, 'prefixed');
  const proxied = await serve({ env, trustProxy: true });
  for (const prefix of ['//evil.example', '/ok/../..', '/%2F%2Fevil.example', '/./x', '/a//b']) {
    const login = await send(`${proxied}/login`, { headers: { 'x-test-user': 'alice', 'x-forwarded-prefix': prefix } });
    const location = String(login.headers.location);
    t.ok(location.startsWith('/') && !location.startsWith('//') && !/\/\.\.?(\/|$)/.test(location),
      `prefix ${JSON.stringify(prefix)}: redirect ${location} stays a plain local path`);
    const cookiePath = String(setCookies(login).get('trac_auth')?.attributes.path);
    t.ok(!cookiePath.startsWith('//') && !/\/\.\.?(\/|$)/.test(cookiePath), `prefix ${JSON.stringify(prefix)}: cookie path ${cookiePath}`);
    const home = await send(`${proxied}/`, { headers: { 'x-forwarded-prefix': prefix } });
    const links = [...home.body.matchAll(/(?:href|action)="([^"]*)"/g)].map((match) => match[1]);
    t.same(links.filter((link) => link.startsWith('//') || /\/\.\.?(\/|$)/.test(link)), [],
      `prefix ${JSON.stringify(prefix)}: no link on the home page leaves the site`);
  }
});

void t.test('[access] allow_from/deny_from and [access:/path] decide by client network', async (t) => {
  const parent = await tempDir('gh-core-urls-');
  await envWithProbe(parent, 'guarded', {
    access: { allow_from: '127.0.0.1/32, ::1' },
    'access:/admin': { deny_from: '127.0.0.0/8' },
    'access:/open': { allow_from: '0.0.0.0/0' },
  });
  await envWithProbe(parent, 'free');
  const url = await serve({ envParentDir: parent });
  const { cookie } = await signIn(`${url}/guarded`, 'alice');

  const cases: Array<[string, string, boolean]> = [
    ['127.0.0.1', '/guarded/', true],
    ['127.0.0.1', '/guarded/whoami', true],
    ['127.0.0.1', '/guarded/admin', false],
    ['127.0.0.1', '/guarded/admin/users', false],
    ['127.0.0.1', '/guarded/administrator', true],
    ['127.0.0.2', '/guarded/', false],
    ['127.0.0.2', '/guarded/whoami', false],
    ['127.0.0.2', '/guarded/login', false],
    ['127.0.0.2', '/guarded/open/page', true],
    ['127.0.0.2', '/free/whoami', true],
  ];
  for (const [from, where, allowed] of cases) {
    const reply = await send(`${url}${where}`, { localAddress: from,
      headers: { cookie: `trac_auth=${cookie}`, 'x-test-user': 'alice' } });
    if (allowed) t.not(reply.status, 403, `${from} may reach ${where} (${reply.status})`);
    else {
      t.equal(reply.status, 403, `${from} may not reach ${where}`);
      t.notMatch(reply.body, 'alice', `${where}: refused before anyone is signed in`);
      t.notOk(setCookies(reply).get('trac_auth'), `${where}: no session made`);
    }
  }

  const asJson = await send(`${url}/guarded/`, { localAddress: '127.0.0.2', headers: { accept: 'application/json' } });
  const error = (JSON.parse(asJson.body) as { error: { code: string; message: string } }).error;
  t.equal(error.code, 'GH_ERR_ACCESS_DENIED_NETWORK');
  t.match(error.message, '127.0.0.2');
});

void t.test('a malformed network in [access] is a 500 naming the option and value', async (t) => {
  const parent = await tempDir('gh-core-urls-');
  await envWithProbe(parent, 'typo', { access: { allow_from: '10.0.0.0/99' } });
  const url = await serve({ envParentDir: parent });
  const reply = await send(`${url}/typo/`);
  t.equal(reply.status, 500);
  t.match(reply.body, /\[access\] allow_from = (&quot;|")10\.0\.0\.0\/99(&quot;|")/, 'names section, key and value');
  t.match(reply.body, 'trac.ini', 'and the file');
  assertNoStackTrace(t, reply, 'malformed access rule');
});

void t.test('--trust-proxy access rules see the forwarded address, and only then', async (t) => {
  const parent = await tempDir('gh-core-urls-');
  const env = await envWithProbe(parent, 'behind', { access: { deny_from: '203.0.113.0/24' } });
  const direct = await serve({ env });
  const proxied = await serve({ env, trustProxy: true });
  const headers = { 'x-forwarded-for': '203.0.113.7' };
  t.equal((await send(`${proxied}/whoami`, { headers })).status, 403, 'the forwarded address is refused');
  t.equal((await send(`${direct}/whoami`, { headers })).status, 200, 'a header without --trust-proxy changes nothing');
});

void t.test('[access] rules for IPv6 clients', async (t) => {
  const problem = await ipv6LoopbackProblem();
  if (problem) {
    t.pass('IPv6 access rules', { skip: `IPv6 loopback unavailable: ${problem}` });
    return;
  }
  const parent = await tempDir('gh-core-urls-');
  const open = await envWithProbe(parent, 'v6open', { access: { allow_from: '::1' } });
  const closed = await envWithProbe(parent, 'v6closed', { access: { deny_from: '::1/128' } });
  const mixed = await envWithProbe(parent, 'v6mixed', { access: { allow_from: '127.0.0.1, fd00::/8' } });
  const openUrl = await serve({ env: open, host: '::1' });
  const closedUrl = await serve({ env: closed, host: '::1' });
  const mixedUrl = await serve({ env: mixed, host: '::1' });

  const who = await whoami(openUrl);
  t.equal(who.remote, '::1', 'the client is ::1');
  t.equal((await send(`${closedUrl}/whoami`)).status, 403, 'deny_from ::1/128 refuses ::1');
  t.equal((await send(`${mixedUrl}/whoami`)).status, 403, '::1 is not in 127.0.0.1 or fd00::/8');
});
