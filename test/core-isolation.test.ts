/**
 * Two environments in one process, hammered at once with different users, grants, project
 * names and settings (one of them reopened midway): no response may carry the other's data,
 * and no session or row may cross over.
 */
import t from 'tap';
import path from 'node:path';
import { startServer, type RunningServer } from '../core/server-app';
import { setConfigValue } from '../core/config/config-writer';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { admin, installPlugin, send, setCookies, signIn, withEnvDb, type Reply } from './fixtures/core-kit';

let server: RunningServer | undefined;
t.teardown(async () => {
  await server?.close();
  await cleanup();
});

interface Side {
  name: 'alpha' | 'beta';
  project: string;
  markers: string[];
  greeting: string;
  granted: string;
  ungranted: string;
  /** Words that belong to this side only: none may appear in the other side's responses. */
  own: string[];
}

const SIDES: Record<'alpha' | 'beta', Side> = {
  alpha: { name: 'alpha', project: 'Alpha Project', markers: ['alpha-marker', 'alpha-marker-reopened'],
    greeting: 'Ahoy', granted: 'alice', ungranted: 'carol',
    own: ['Alpha Project', 'alpha-marker', 'Ahoy', 'alice', 'carol', 'alphanewcomer'] },
  beta: { name: 'beta', project: 'Beta Project', markers: ['beta-marker'],
    greeting: 'Servus', granted: 'bob', ungranted: 'dave',
    own: ['Beta Project', 'beta-marker', 'Servus', 'bob', 'dave', 'betanewcomer'] },
};

async function runPool<T>(jobs: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < jobs.length) {
      const index = next;
      next += 1;
      results[index] = await jobs[index]();
    }
  }));
  return results;
}

void t.test('two environments hammered at once never see each other\'s data', async (t) => {
  const parent = await tempDir('gh-core-isolation-');
  for (const side of Object.values(SIDES)) {
    const env = await makeEnvironment(parent, side.name, { projectName: side.project, config: {
      components: { 'hello.*': 'enabled' }, hello: { greeting: side.greeting },
      test_auth: { marker: side.markers[0] } } });
    await installPlugin(path.join(env, 'plugins'), 'test_auth');
    t.equal((await admin([env, 'permission', 'add', side.granted, 'TEST_VIEW'])).status, 0,
      `${side.granted} may TEST_VIEW in ${side.name}`);
  }
  server = await startServer({ envParentDir: parent });
  const url = server.url;

  const cookies: Record<string, string> = {};
  for (const side of Object.values(SIDES)) {
    for (const user of [side.granted, side.ungranted]) cookies[user] = (await signIn(`${url}/${side.name}`, user)).cookie;
  }

  type Check = (reply: Reply) => string | undefined;
  interface Job { side: Side; what: string; run: () => Promise<Reply>; check: Check }
  const jobs: Job[] = [];
  const expectBody = (status: number, text: RegExp | string): Check => (reply) => {
    if (reply.status !== status) return `status ${reply.status}, wanted ${status}`;
    const ok = typeof text === 'string' ? reply.body.includes(text) : text.test(reply.body);
    return ok ? undefined : `body ${JSON.stringify(reply.body.slice(0, 200))} lacks ${String(text)}`;
  };
  for (let round = 0; round < 25; round += 1) {
    for (const side of Object.values(SIDES)) {
      const other = side.name === 'alpha' ? SIDES.beta : SIDES.alpha;
      const base = `${url}/${side.name}`;
      const as = (user: string) => ({ cookie: `trac_auth=${cookies[user]}` });
      jobs.push({ side, what: 'whoami', run: () => send(`${base}/whoami`, { headers: as(side.granted) }),
        check: (reply) => {
          const who = JSON.parse(reply.body) as { user: string; project: string; marker: string };
          if (who.user !== side.granted) return `user ${who.user}`;
          if (who.project !== side.project) return `project ${who.project}`;
          return side.markers.includes(who.marker) ? undefined : `marker ${who.marker}`;
        } });
      jobs.push({ side, what: 'granted page', run: () => send(`${base}/needs-perm`, { headers: as(side.granted) }),
        check: expectBody(200, `TEST_VIEW granted to ${side.granted} in ${side.project}`) });
      jobs.push({ side, what: 'ungranted page', run: () => send(`${base}/needs-perm`, { headers: as(side.ungranted) }),
        check: expectBody(403, 'TEST_VIEW') });
      jobs.push({ side, what: 'the other side\'s cookie', run: () => send(`${base}/whoami`, { headers: as(other.granted) }),
        check: (reply) => (JSON.parse(reply.body) as { user: string }).user === 'anonymous' ? undefined : reply.body });
      jobs.push({ side, what: 'the other side\'s grantee', run: () => send(`${base}/needs-perm`, { headers: as(other.granted) }),
        check: expectBody(403, 'TEST_VIEW') });
      jobs.push({ side, what: 'hello', run: () => send(`${base}/hello`, { headers: as(side.granted) }),
        check: expectBody(200, `${side.greeting}, ${side.granted}!`) });
      jobs.push({ side, what: 'home', run: () => send(`${base}/`, { headers: as(side.ungranted) }),
        check: expectBody(200, side.project) });
      const newcomer = `${side.name}newcomer${round}`;
      jobs.push({ side, what: 'sign-in', run: () => send(`${base}/login`, { headers: { 'x-test-user': newcomer } }),
        check: (reply) => reply.status === 303 && setCookies(reply).get('trac_auth')?.attributes.path === `/${side.name}`
          ? undefined : `sign-in answered ${reply.status}` });
    }
  }
  // Shuffle deterministically so the two sides interleave in every way.
  for (let i = jobs.length - 1; i > 0; i -= 1) {
    const j = (i * 7919) % (i + 1);
    [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
  }

  let reopened = false;
  const results = await runPool(jobs.map((job, index) => async () => {
    if (!reopened && index === Math.floor(jobs.length / 2)) {
      reopened = true;
      await setConfigValue(path.join(parent, 'alpha', 'conf', 'trac.ini'), 'test_auth', 'marker', SIDES.alpha.markers[1]);
    }
    return { job, reply: await job.run() };
  }), 24);

  let wrong = 0;
  let leaked = 0;
  for (const { job, reply } of results) {
    const problem = job.check(reply);
    if (problem) {
      wrong += 1;
      if (wrong <= 5) t.fail(`${job.side.name} ${job.what}: ${problem}`);
    }
    const other = job.side.name === 'alpha' ? SIDES.beta : SIDES.alpha;
    const text = `${reply.body}\n${JSON.stringify(reply.headers)}`;
    const foreign = other.own.filter((word) => text.includes(word));
    if (foreign.length) {
      leaked += 1;
      if (leaked <= 5) t.fail(`${job.side.name} ${job.what} carried ${other.name}'s ${foreign.join(', ')}`);
    }
  }
  t.equal(wrong, 0, `all ${results.length} responses were right for their environment`);
  t.equal(leaked, 0, 'no response carried the other environment\'s data');

  for (const side of Object.values(SIDES)) {
    const other = side.name === 'alpha' ? SIDES.beta : SIDES.alpha;
    const names = await withEnvDb(server, path.join(parent, side.name), side.name,
      (db) => db.all<{ name: string }>('SELECT DISTINCT name FROM auth_cookie'));
    const strays = names.map((row) => row.name).filter((name) => other.own.some((word) => name.startsWith(word)));
    t.same(strays, [], `${side.name}'s auth_cookie holds none of ${other.name}'s users`);
    t.equal(names.length, 2 + 25, `${side.name} holds its own 27 signed-in users`);
  }
});
