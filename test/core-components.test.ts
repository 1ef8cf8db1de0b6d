/**
 * `[components]` as Trac reads it, seen from outside: which pages answer as rules change in
 * trac.ini, site plugins on by default, shared plugins off until enabled, a plugin that cannot
 * load, and two environments carrying different plugins under one folder name.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type RunningServer } from '../core/server-app';
import { removeConfigValue, setConfigValue } from '../core/config/config-writer';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { admin, eventually, installPlugin, send, signIn, whoami } from './fixtures/core-kit';

const servers: RunningServer[] = [];
t.teardown(async () => {
  for (const server of servers) await server.close();
  await cleanup();
});

async function serve(options: Parameters<typeof startServer>[0]): Promise<string> {
  const server = await startServer(options);
  servers.push(server);
  return server.url;
}

/**
 * Applies `rules` as the whole set of test-made [components] entries (keys from earlier calls
 * removed), then waits until the server has reopened the environment with them.
 */
class RuleEditor {
  private keys = new Set<string>();
  private round = 0;

  constructor(private readonly envPath: string, private readonly url: string) {}

  async apply(rules: Record<string, string>, extra: Record<string, Record<string, string>> = {}): Promise<void> {
    const ini = path.join(this.envPath, 'conf', 'trac.ini');
    for (const key of this.keys) await removeConfigValue(ini, 'components', key).catch(() => undefined);
    this.keys = new Set(Object.keys(rules));
    for (const [key, value] of Object.entries(rules)) await setConfigValue(ini, 'components', key, value);
    for (const [section, entries] of Object.entries(extra)) {
      for (const [key, value] of Object.entries(entries)) await setConfigValue(ini, section, key, value);
    }
    this.round += 1;
    const marker = `rules-${this.round}`;
    await setConfigValue(ini, 'test_auth', 'marker', marker);
    const seen = await eventually(async () => (await whoami(this.url).catch(() => undefined))?.marker === marker, 5000);
    if (!seen) throw new Error(`the environment did not pick up ${JSON.stringify(rules)}`);
  }
}

void t.test('the hello plugin answers /hello only as [components] allows, with Trac\'s rules', async (t) => {
  const parent = await tempDir('gh-core-components-');
  const env = await makeEnvironment(parent, 'solo', { projectName: 'Solo' });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  const url = await serve({ env });
  const rules = new RuleEditor(env, url);

  const hello = await send(`${url}/hello`);
  t.equal(hello.status, 404, 'a built-in plugin is off unless enabled');

  const cases: Array<[string, Record<string, string>, number]> = [
    ['hello.* = enabled', { 'hello.*': 'enabled' }, 200],
    ['hello = enabled (the .* is optional)', { hello: 'enabled' }, 200],
    ['HELLO.* = Enabled (names and values ignore case)', { 'HELLO.*': 'Enabled' }, 200],
    ['hello.* = enabled, hello.HelloHandler = disabled (most specific wins)',
      { 'hello.*': 'enabled', 'hello.HelloHandler': 'disabled' }, 404],
    ['hello.* = disabled, hello.hellohandler = enabled (most specific wins)',
      { 'hello.*': 'disabled', 'hello.hellohandler': 'enabled' }, 200],
    ['hel.* = enabled (a prefix is a whole dotted name, not a string prefix)', { 'hel.*': 'enabled' }, 404],
    ['hello.* = disabled', { 'hello.*': 'disabled' }, 404],
  ];
  for (const [what, set, status] of cases) {
    await rules.apply(set);
    const reply = await send(`${url}/hello`);
    t.equal(reply.status, status, what);
    if (status === 200) t.equal(reply.body, 'Hello, anonymous!\n', `${what}: the greeting`);
  }

  await rules.apply({ 'hello.*': 'enabled' }, { hello: { greeting: 'Howdy' }, test_auth: { paths: '/login' } });
  t.equal((await send(`${url}/hello`)).body, 'Howdy, anonymous!\n', '[hello] greeting is read');
  const { cookie } = await signIn(url, 'alice');
  t.equal((await send(`${url}/hello`, { headers: { cookie: `trac_auth=${cookie}` } })).body, 'Howdy, alice!\n',
    'a signed-in user is greeted by name');

  const about = await send(`${url}/about`);
  t.match(about.body, 'hello.HelloHandler', '/about lists the enabled hello component');
});

void t.test('a site plugin is on by default and a rule can turn it, or one component, off', async (t) => {
  const parent = await tempDir('gh-core-components-');
  const env = await makeEnvironment(parent, 'site', { projectName: 'Site Plugins' });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  const url = await serve({ env });
  const rules = new RuleEditor(env, url);

  t.equal((await send(`${url}/whoami`)).status, 200, 'an environment\'s own plugin needs no rule');

  await rules.apply({ 'test_auth.NeedsPermHandler': 'disabled' });
  t.equal((await send(`${url}/needs-perm`)).status, 404, 'one component disabled');
  t.equal((await send(`${url}/whoami`)).status, 200, 'its siblings stay on');

  const list = await admin([env, 'component', 'list']);
  t.equal(list.status, 0);
  t.match(list.out, /test_auth\.NeedsPermHandler\s+environment\s+disabled/);
  t.match(list.out, /test_auth\.WhoAmIHandler\s+environment\s+enabled/);
  t.match(list.out, /hello\.HelloHandler\s+builtin\s+disabled/);

  await rules.apply({ 'core.AboutHandler': 'disabled' });
  t.equal((await send(`${url}/about`)).status, 404, 'a core component can be disabled too');
  t.equal((await send(`${url}/health`)).status, 200, 'leaving the other core components on');

  // Turning the whole plugin off also hides the marker probe, so check by polling the page.
  await setConfigValue(path.join(env, 'conf', 'trac.ini'), 'components', 'test_auth', 'disabled');
  t.ok(await eventually(async () => (await send(`${url}/whoami`)).status === 404), 'test_auth = disabled turns it off');
});

void t.test('a plugin in a shared plugins folder must be enabled', async (t) => {
  const parent = await tempDir('gh-core-components-');
  const shared = path.join(parent, 'shared-plugins');
  await fs.mkdir(shared);
  await installPlugin(shared, 'shared_hi');
  const env = await makeEnvironment(parent, 'inheritor', { projectName: 'Inheritor',
    config: { inherit: { plugins_dir: shared } } });
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  const url = await serve({ env });
  const rules = new RuleEditor(env, url);

  t.equal((await send(`${url}/shared-hi`)).status, 404, 'off while no rule names it');
  await rules.apply({ shared_hi: 'enabled' });
  const reply = await send(`${url}/shared-hi`);
  t.equal(reply.status, 200, 'on once enabled');
  t.equal(reply.body, 'shared hi from Inheritor\n');
});

void t.test('a plugin that throws while loading is reported; the environment still serves', async (t) => {
  const parent = await tempDir('gh-core-components-');
  const env = await makeEnvironment(parent, 'sturdy', { projectName: 'Sturdy' });
  await installPlugin(path.join(env, 'plugins'), 'broken_on_load');
  await installPlugin(path.join(env, 'plugins'), 'test_auth');
  const url = await serve({ env });

  const home = await send(`${url}/`);
  t.equal(home.status, 200, 'the home page serves');
  t.match(home.body, 'Sturdy');
  t.equal((await whoami(url)).project, 'Sturdy', 'the other site plugin works');
  t.notMatch(home.body, 'missing widget', 'the load error is not shown to visitors');

  const list = await admin([env, 'component', 'list']);
  t.equal(list.status, 0);
  t.match(list.out, path.join(env, 'plugins', 'broken_on_load', 'index.js'), 'component list names the file');
  t.match(list.out, 'broken_on_load cannot start: missing widget', 'and the error');
});

async function parentWithGreeters(t: Test): Promise<{ url: string; alpha: string; beta: string }> {
  const parent = await tempDir('gh-core-components-');
  const alpha = await makeEnvironment(parent, 'alpha', { projectName: 'Alpha',
    config: { components: { 'hello.*': 'enabled' }, hello: { greeting: 'Ahoy' } } });
  const beta = await makeEnvironment(parent, 'beta', { projectName: 'Beta' });
  await installPlugin(path.join(alpha, 'plugins'), 'greeter-alpha', 'greeter');
  await installPlugin(path.join(beta, 'plugins'), 'greeter-beta', 'greeter');
  t.ok(true, 'two environments, each with its own plugins/greeter');
  return { url: await serve({ envParentDir: parent }), alpha, beta };
}

void t.test('two environments carry different plugins of the same folder name; enablement is per environment',
  async (t) => {
    const { url, alpha, beta } = await parentWithGreeters(t);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const name = i % 2 === 0 ? 'alpha' : 'beta';
      const page = i % 4 < 2 ? 'greet' : 'hello';
      return send(`${url}/${name}/${page}`).then((reply) => ({ name, page, reply }));
    }));
    for (const { name, page, reply } of answers) {
      if (page === 'greet') {
        t.equal(reply.status, 200, `/${name}/greet answers`);
        t.equal(reply.body, `greetings from the ${name} copy\n`, `/${name}/greet is ${name}'s own plugin`);
      } else if (name === 'alpha') {
        t.equal(reply.body, 'Ahoy, anonymous!\n', 'hello is enabled in alpha');
      } else {
        t.equal(reply.status, 404, 'hello stays off in beta');
      }
    }

    t.match((await send(`${url}/alpha/about`)).body, 'hello.HelloHandler', 'alpha\'s /about lists hello');
    t.notMatch((await send(`${url}/beta/about`)).body, 'hello.HelloHandler', 'beta\'s /about does not');
    for (const env of [alpha, beta]) {
      const list = await admin([env, 'component', 'list']);
      t.match(list.out, /greeter\.GreetHandler\s+environment\s+enabled/, `${path.basename(env)} lists its greeter`);
    }
  });
