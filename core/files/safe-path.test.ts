import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { resolveSafePath, safeSegments } from './safe-path';
import { isGatehouseError } from '../errors';

async function status(promise: Promise<unknown>): Promise<number | string> {
  try {
    await promise;
    return 'served';
  } catch (error) {
    return isGatehouseError(error) ? error.status : String(error);
  }
}

void t.test('segments of a clean path', async (t) => {
  t.same(safeSegments('css/gatehouse.css'), ['css', 'gatehouse.css']);
  t.same(safeSegments('/css/a%20b.css'), ['css', 'a b.css'], 'decoded once');
  t.same(safeSegments('img/%C3%A9t%C3%A9.png'), ['img', 'été.png']);
});

void t.test('every traversal and trick is refused', async (t) => {
  const cases: Array<[string, number]> = [
    ['../conf/trac.ini', 404],
    ['a/../../conf/trac.ini', 404],
    ['./x', 404],
    ['%2e%2e/conf/trac.ini', 400],
    ['%2E%2E/conf', 400],
    ['.%2e/conf', 400],
    ['%2e%2e%2fconf%2ftrac.ini', 400],
    ['..%2f..%2fconf', 400],
    ['..%5cconf%5ctrac.ini', 400],
    ['..\\conf\\trac.ini', 400],
    ['a%00.css', 400],
    ['a\0.css', 400],
    ['%252e%252e/conf', 400],
    ['%25', 400],
    ['.htpasswd', 404],
    ['sub/.git/config', 404],
    ['a//b', 404],
    ['%C3', 400],
    ['a%0d%0a.css', 400],
  ];
  for (const [raw, expected] of cases) {
    let got: number | string = 'accepted';
    try {
      safeSegments(raw);
    } catch (error) {
      got = isGatehouseError(error) ? error.status : String(error);
    }
    t.equal(got, expected, raw);
  }
});

void t.test('files resolve inside the root; symlinks out do not', async (t) => {
  const dir = t.testdir({
    root: { 'site.css': 'body{}', sub: { 'a.js': 'x' }, '.htpasswd': 'u:p', 'hidden-target': {} },
    outside: { 'secret.txt': 'secret-outside' },
  });
  const root = path.join(dir, 'root');
  fs.symlinkSync(path.join(dir, 'outside', 'secret.txt'), path.join(root, 'leak.txt'));
  fs.symlinkSync(path.join(dir, 'outside'), path.join(root, 'leakdir'));
  fs.symlinkSync(path.join(root, 'site.css'), path.join(root, 'alias.css'));
  fs.symlinkSync(path.join(root, '.htpasswd'), path.join(root, 'innocent.txt'));

  t.equal(await resolveSafePath(root, 'site.css'), fs.realpathSync(path.join(root, 'site.css')));
  t.equal(await resolveSafePath(root, 'sub/a.js'), fs.realpathSync(path.join(root, 'sub/a.js')));
  t.equal(await resolveSafePath(root, 'alias.css'), fs.realpathSync(path.join(root, 'site.css')),
    'a symlink inside the root is followed');
  t.equal(await status(resolveSafePath(root, 'leak.txt')), 404, 'file symlink out');
  t.equal(await status(resolveSafePath(root, 'leakdir/secret.txt')), 404, 'folder symlink out');
  t.equal(await status(resolveSafePath(root, 'innocent.txt')), 404, 'symlink to a dotfile');
  t.equal(await status(resolveSafePath(root, 'missing.css')), 404);
  t.equal(await status(resolveSafePath(path.join(dir, 'nope'), 'site.css')), 404, 'missing root');
});
