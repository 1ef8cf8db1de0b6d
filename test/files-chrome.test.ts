/**
 * Chrome links and the deploy copy: `[trac] htdocs_location` moves the shipped media's links to
 * a front server, and copyChromeMedia (behind `gatehouse-admin ENV deploy`) writes every chrome
 * folder out, leaving dotfiles and out-of-folder symlinks behind.
 */
import 'reflect-metadata';
import fs from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { chromeHref } from '../core/chrome/chrome-href';
import { commonHtdocs } from '../core/chrome/chrome-roots';
import { copyChromeMedia } from '../core/chrome/deploy';
import type { RequestContext } from '../core/dispatch/types';
import { openEnvironment } from '../core/env/environment';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';

t.teardown(cleanup);

/** The two members chromeHref reads, as the dispatcher's context provides them. */
function contextFor(env: RequestContext['env'], basePath: string): RequestContext {
  return { env, href: (p: string) => `${basePath}${p}` } as unknown as RequestContext;
}

void t.test('htdocs_location points the shipped media elsewhere', async (t) => {
  const dir = await tempDir('gh-chrome-');
  const moved = await makeEnvironment(dir, 'moved', {
    config: { trac: { htdocs_location: 'https://static.example.org/gh/' } },
  });
  const plain = await makeEnvironment(dir, 'plain');
  const log = pino({ level: 'silent' });

  const movedEnv = await openEnvironment(moved, { name: 'moved', log });
  t.teardown(() => movedEnv.close());
  const movedContext = contextFor(movedEnv, '/trac/moved');
  t.equal(chromeHref(movedContext, 'common/css/gatehouse.css'),
    'https://static.example.org/gh/css/gatehouse.css');
  t.equal(chromeHref(movedContext, 'site/logo.png'), '/trac/moved/chrome/site/logo.png',
    'only common/ moves, as in Trac');

  const plainEnv = await openEnvironment(plain, { name: 'plain', log });
  t.teardown(() => plainEnv.close());
  t.equal(chromeHref(contextFor(plainEnv, ''), '/common/css/gatehouse.css'),
    '/chrome/common/css/gatehouse.css');
});

void t.test('copyChromeMedia copies common, site and plugin media', async (t) => {
  const dir = await tempDir('gh-chrome-deploy-');
  const envPath = await makeEnvironment(dir, 'env');
  await fs.mkdir(path.join(envPath, 'htdocs', 'img'), { recursive: true });
  await fs.writeFile(path.join(envPath, 'htdocs', 'img', 'logo.png'), Buffer.alloc(100, 9));
  await fs.writeFile(path.join(envPath, 'htdocs', '.htpasswd'), 'secret');
  await fs.writeFile(path.join(dir, 'outside.txt'), 'outside');
  await fs.symlink(path.join(dir, 'outside.txt'), path.join(envPath, 'htdocs', 'leak.txt'));
  await fs.symlink(path.join(envPath, 'htdocs'), path.join(envPath, 'htdocs', 'img', 'loop'));

  const env = await openEnvironment(envPath, { name: 'env', log: pino({ level: 'silent' }) });
  t.teardown(() => env.close());
  const target = path.join(dir, 'deployed');
  const copied = await copyChromeMedia(env, target);

  t.same(copied.map((folder) => folder.prefix), ['common', 'site']);
  const css = await fs.readFile(path.join(target, 'common', 'css', 'gatehouse.css'));
  t.ok(css.equals(await fs.readFile(path.join(commonHtdocs, 'css', 'gatehouse.css'))), 'the stylesheet');
  t.equal((await fs.readFile(path.join(target, 'site', 'img', 'logo.png'))).length, 100, 'site media');
  await t.rejects(fs.stat(path.join(target, 'site', '.htpasswd')), 'dotfiles stay behind');
  await t.rejects(fs.stat(path.join(target, 'site', 'leak.txt')), 'symlinks out stay behind');
  t.equal(copied[1].files, 1, 'the loop is copied once');
});
