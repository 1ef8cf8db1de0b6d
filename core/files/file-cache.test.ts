import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import t from 'tap';
import { acceptedCodings, FileCache } from './file-cache';

function statOf(file: string): fs.Stats {
  return fs.statSync(file);
}

void t.test('entries are served while the file is unchanged and reread after an edit', async (t) => {
  const dir = t.testdir({ 'a.txt': 'first version\n' });
  const file = path.join(dir, 'a.txt');
  const cache = new FileCache({ maxBytes: 1024 * 1024, maxFileBytes: 1024 });

  const first = await cache.lookup(file, statOf(file));
  t.equal(first?.identity.body.toString(), 'first version\n');
  t.equal(await cache.lookup(file, statOf(file)), first, 'the same entry');

  fs.writeFileSync(file, 'second\n');
  fs.utimesSync(file, new Date(), new Date(Date.now() + 10_000));
  const second = await cache.lookup(file, statOf(file));
  t.equal(second?.identity.body.toString(), 'second\n', 'a changed file is read again');
  t.not(second?.identity.validators.etag, first?.identity.validators.etag);
});

void t.test('checkIntervalMs: a confirmed entry is reused without a stat for that long', async (t) => {
  const dir = t.testdir({ 'a.txt': 'one\n' });
  const file = path.join(dir, 'a.txt');
  const every = new FileCache({ maxBytes: 1024, maxFileBytes: 1024, checkIntervalMs: 0 });
  await every.lookup(file, statOf(file));
  t.equal(every.recent(file), undefined, 'interval 0: always stat again');

  const lazy = new FileCache({ maxBytes: 1024, maxFileBytes: 1024, checkIntervalMs: 3_600_000 });
  t.equal(lazy.recent(file), undefined, 'nothing cached yet');
  const entry = await lazy.lookup(file, statOf(file));
  t.equal(lazy.recent(file), entry, 'within the interval: served without a stat');
  lazy.forget(file);
  t.equal(lazy.recent(file), undefined, 'forget drops it');
});

void t.test('bounds: large files are not cached, the total is kept under the limit', async (t) => {
  const dir = t.testdir({
    'big.bin': Buffer.alloc(2048, 1), 'a.bin': Buffer.alloc(400, 2), 'b.bin': Buffer.alloc(400, 3),
    'c.bin': Buffer.alloc(400, 4),
  });
  const cache = new FileCache({ maxBytes: 1000, maxFileBytes: 1024 });
  t.equal(await cache.lookup(path.join(dir, 'big.bin'), statOf(path.join(dir, 'big.bin'))), undefined);
  for (const name of ['a.bin', 'b.bin', 'c.bin']) {
    await cache.lookup(path.join(dir, name), statOf(path.join(dir, name)));
  }
  t.equal(cache.size.entries, 2, 'the least recently used went');
  t.ok(cache.size.bytes <= 1000);
  t.same(new FileCache({ maxBytes: 0, maxFileBytes: 1024 }).accepts(statOf(path.join(dir, 'a.bin'))), false,
    'size 0 turns the cache off');
});

void t.test('compressed variants: a fresh sibling, else made in memory for text', async (t) => {
  const css = 'body { color: red; }\n'.repeat(200);
  const dir = t.testdir({ 'site.css': css, 'logo.png': Buffer.alloc(4000, 7), 'tiny.css': 'a{}' });
  const cache = new FileCache({ maxBytes: 1024 * 1024, maxFileBytes: 64 * 1024 });
  const file = path.join(dir, 'site.css');

  const made = await cache.lookup(file, statOf(file));
  t.same(made?.encoded.map((v) => v.coding), ['br', 'gzip']);
  t.equal(zlib.brotliDecompressSync(made?.encoded[0].body as Buffer).toString(), css);
  t.same((await cache.lookup(path.join(dir, 'logo.png'), statOf(path.join(dir, 'logo.png'))))?.encoded, [],
    'images are not compressed');
  t.same((await cache.lookup(path.join(dir, 'tiny.css'), statOf(path.join(dir, 'tiny.css'))))?.encoded, [],
    'tiny files are not compressed');

  const sibling = zlib.gzipSync(Buffer.from('precompressed'));
  fs.writeFileSync(`${file}.gz`, sibling);
  fs.utimesSync(file, new Date(), new Date(Date.now() - 60_000));
  const withSibling = await cache.lookup(file, statOf(file));
  t.same(withSibling?.encoded.map((v) => v.coding), ['gzip'], 'only the sibling that exists');
  t.ok(withSibling?.encoded[0].body.equals(sibling), 'its bytes as they are');
});

void t.test('Accept-Encoding', async (t) => {
  t.same([...acceptedCodings(undefined)], []);
  t.same([...acceptedCodings('gzip, deflate, br')].sort(), ['br', 'gzip']);
  t.same([...acceptedCodings('br;q=0, gzip;q=0.5')], ['gzip']);
  t.same([...acceptedCodings('*')].sort(), ['br', 'gzip']);
  t.same([...acceptedCodings('*;q=0, identity')], []);
  t.same([...acceptedCodings('x-gzip')], ['gzip']);
});
