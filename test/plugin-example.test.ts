/**
 * The worked custom password store of docs/plugins.md, used exactly as the docs say: copied into
 * an environment's plugins/ folder, named in [account-manager] password_store, and signed in
 * with through the Basic scheme.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { startServer } from '../core/server-app';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { basicAuth, request, setCookie } from './helpers/http';
import { projectRoot } from '../core/paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hashPassword } = require(path.join(projectRoot, 'docs/examples/json-password-store/scrypt-hash.js')) as {
  hashPassword(password: string): string;
};

t.teardown(cleanup);

void t.test('the JSON password store example signs users in through Basic', async (t) => {
  const dir = await tempDir();
  const envPath = await makeEnvironment(dir, 'example', {
    config: {
      components: { 'auth_basic.*': 'enabled' },
      'account-manager': { password_store: 'JsonPasswordStore' },
    },
  });
  await fs.cp(path.join(projectRoot, 'docs/examples/json-password-store'),
    path.join(envPath, 'plugins', 'json-password-store'), { recursive: true });
  await fs.writeFile(path.join(envPath, 'conf', 'users.json'),
    JSON.stringify({ alice: hashPassword('correct horse') }));

  const server = await startServer({ env: envPath });
  t.teardown(() => server.close());

  const good = await request(`${server.url}/login`, { headers: { authorization: basicAuth('alice', 'correct horse') } });
  t.equal(good.status, 303, 'right password signs in');
  const cookie = setCookie(good, 'trac_auth');
  t.match(cookie, /^[0-9a-f]{32}$/, 'a trac_auth cookie is issued');

  const home = await request(`${server.url}/`, { headers: { cookie: `trac_auth=${cookie}` } });
  t.match(home.body, /signed in as <strong class="user">alice<\/strong>/, 'the cookie carries alice');

  const wrong = await request(`${server.url}/login`, { headers: { authorization: basicAuth('alice', 'wrong') } });
  t.equal(wrong.status, 401, 'wrong password is refused');
  const unknown = await request(`${server.url}/login`, { headers: { authorization: basicAuth('bob', 'x') } });
  t.equal(unknown.status, 401, 'unknown user is refused');

  await fs.rm(path.join(envPath, 'conf', 'users.json'));
  const broken = await request(`${server.url}/login`, { headers: { authorization: basicAuth('alice', 'correct horse') } });
  t.equal(broken.status, 503, 'a missing users file lets nobody in');
});
