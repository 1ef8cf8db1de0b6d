/**
 * File responses end to end: chrome media from a real server, fetched with curl. Exact bytes at
 * every size, HEAD, validators and 304, ranges (single, suffix, multi, If-Range, 416),
 * compressed variants, the memory cache noticing edits, every traversal attempt, plugin
 * chrome, X-Sendfile, a client leaving mid-download, and a 1 GiB file with flat memory.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import t from 'tap';
import { curl as curlTool, sha256, type Fetched } from './helpers/curl';
import { startServer, type RunningServer } from '../core/server-app';
import { commonHtdocs } from '../core/chrome/chrome-roots';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { eventually, sendRaw } from './fixtures/core-kit';

const execFileAsync = promisify(execFile);

let scratch = '';

/** One request with curl; headers and body kept apart. */
function curl(url: string, args: string[] = []): Promise<Fetched> {
  return curlTool(url, args, scratch);
}


/** Deterministic bytes of every value, so a shifted or dropped chunk shows. */
function patterned(size: number, seed: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) buffer[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return buffer;
}

/** Sends HEAD on a raw socket and counts what follows the header block until the server closes. */
function bytesAfterHeadResponse(target: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`HEAD ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      resolve(all.length - (all.indexOf('\r\n\r\n') + 4));
    });
    socket.on('error', reject);
  });
}

const SIZES = [0, 1, 65535, 65536, 65537, 5 * 1024 * 1024];

let server: RunningServer;
let base = '';
let envPath = '';
const files = new Map<string, Buffer>();

t.before(async () => {
  const dir = await tempDir('gh-files-');
  scratch = await fs.mkdtemp(path.join(dir, 'scratch-'));
  envPath = await makeEnvironment(dir, 'env', {
    // Check cached files on every request, so an edit shows at once below.
    config: { components: { 'media_kit.*': 'enabled' }, files: { cache_check_interval: '0' } },
  });
  const htdocs = path.join(envPath, 'htdocs');
  for (const size of SIZES) {
    const body = patterned(size, size % 251);
    files.set(`size-${size}.bin`, body);
    await fs.writeFile(path.join(htdocs, `size-${size}.bin`), body);
  }
  const css = Buffer.from('body { color: #123456; }\n'.repeat(420));
  files.set('site.css', css);
  await fs.writeFile(path.join(htdocs, 'site.css'), css);
  await fs.writeFile(path.join(htdocs, '.htpasswd'), 'admin:$apr1$secret\n');
  await fs.mkdir(path.join(htdocs, 'sub'));
  await fs.writeFile(path.join(htdocs, 'sub', 'a b.txt'), 'spaced\n');
  await fs.writeFile(path.join(dir, 'outside.txt'), 'secret-outside-7731\n');
  await fs.symlink(path.join(dir, 'outside.txt'), path.join(htdocs, 'leak.txt'));
  await fs.symlink(dir, path.join(htdocs, 'leakdir'));

  // A site plugin that ships media, the way a plugin author declares chromeDir.
  const plugin = path.join(envPath, 'plugins', 'media-kit');
  await fs.mkdir(path.join(plugin, 'htdocs', 'js'), { recursive: true });
  await fs.writeFile(path.join(plugin, 'htdocs', 'js', 'kit.js'), 'console.log("kit");\n');
  await fs.writeFile(path.join(plugin, 'index.js'), `'use strict';
const path = require('node:path');
const g = require('gatehouse');
class Idle { matches() { return false; } async handle() {} }
g.injectable()(Idle);
module.exports = g.definePlugin({ name: 'media-kit', chromeDir: path.join(__dirname, 'htdocs'),
  components: [{ name: 'Idle', class: Idle, provides: [g.REQUEST_HANDLER] }] });
`);

  server = await startServer({ env: envPath });
  base = server.url;
});

t.teardown(async () => {
  await server?.close();
  await cleanup();
});

void t.test('the shipped stylesheet every page links', async (t) => {
  const onDisk = await fs.readFile(path.join(commonHtdocs, 'css', 'gatehouse.css'));
  const response = await curl(`${base}/chrome/common/css/gatehouse.css`);
  t.equal(response.status, 200);
  t.equal(response.headers['content-type'], 'text/css; charset=utf-8');
  t.equal(response.headers['x-content-type-options'], 'nosniff');
  t.equal(response.headers['content-length'], String(onDisk.length));
  t.ok(response.body.equals(onDisk), 'the bytes on disk');
  t.match(response.headers.etag, /^"[^"]+"$/, 'a strong ETag');
  t.ok(response.headers['last-modified'], 'Last-Modified');

  const page = await curl(`${base}/`);
  t.match(page.body.toString(), '/chrome/common/css/gatehouse.css', 'pages link it');
});

void t.test('exact bytes and Content-Length at every size, GET and HEAD', async (t) => {
  for (const size of SIZES) {
    const name = `size-${size}.bin`;
    const got = await curl(`${base}/chrome/site/${name}`);
    t.equal(got.status, 200, `${name}: 200`);
    t.equal(got.headers['content-length'], String(size), `${name}: Content-Length`);
    t.equal(sha256(got.body), sha256(files.get(name) as Buffer), `${name}: sha256`);

    const head = await curl(`${base}/chrome/site/${name}`, ['-I']);
    t.equal(head.status, 200, `${name}: HEAD 200`);
    t.equal(head.headers['content-length'], String(size), `${name}: HEAD Content-Length`);
    t.equal(head.headers.etag, got.headers.etag, `${name}: HEAD ETag`);
    t.equal(await bytesAfterHeadResponse(`/chrome/site/${name}`), 0, `${name}: HEAD has no body`);
  }
});

void t.test('byte ranges', async (t) => {
  const name = 'size-65537.bin';
  const url = `${base}/chrome/site/${name}`;
  const whole = files.get(name) as Buffer;

  const first = await curl(url, ['-r', '0-99']);
  t.equal(first.status, 206);
  t.equal(first.headers['content-range'], `bytes 0-99/${whole.length}`);
  t.equal(first.headers['content-length'], '100');
  t.ok(first.body.equals(whole.subarray(0, 100)), 'first 100 bytes');

  const boundary = await curl(url, ['-r', '65530-65540']);
  t.equal(boundary.headers['content-range'], `bytes 65530-65536/${whole.length}`, 'clipped to the end');
  t.ok(boundary.body.equals(whole.subarray(65530)), 'bytes across the 64 KiB mark');

  const suffix = await curl(url, ['-r', '-10']);
  t.ok(suffix.body.equals(whole.subarray(whole.length - 10)), 'suffix range');
  const open = await curl(url, ['-r', '65000-']);
  t.ok(open.body.equals(whole.subarray(65000)), 'open-ended range');

  const big = files.get(`size-${5 * 1024 * 1024}.bin`) as Buffer;
  const middle = await curl(`${base}/chrome/site/size-${big.length}.bin`, ['-r', '1000000-3999999']);
  t.equal(sha256(middle.body), sha256(big.subarray(1000000, 4000000)), '3 MB from the middle of 5 MB');

  const unsatisfiable = await curl(url, ['-r', '999999-']);
  t.equal(unsatisfiable.status, 416);
  t.equal(unsatisfiable.headers['content-range'], `bytes */${whole.length}`);

  const emptyRange = await curl(`${base}/chrome/site/size-0.bin`, ['-r', '0-']);
  t.equal(emptyRange.status, 416, 'no range of an empty file is satisfiable');

  const headRange = await curl(url, ['-I', '-H', 'Range: bytes=0-9']);
  t.equal(headRange.status, 200, 'HEAD ignores Range');
  t.equal(headRange.headers['content-length'], String(whole.length));
});

void t.test('If-Range and several ranges', async (t) => {
  const name = 'size-65536.bin';
  const url = `${base}/chrome/site/${name}`;
  const whole = files.get(name) as Buffer;
  const { headers } = await curl(url, ['-I']);

  const matching = await curl(url, ['-r', '10-19', '-H', `If-Range: ${headers.etag}`]);
  t.equal(matching.status, 206, 'current ETag: the range');
  const stale = await curl(url, ['-r', '10-19', '-H', 'If-Range: "stale"']);
  t.equal(stale.status, 200, 'stale ETag: the whole file');
  t.equal(sha256(stale.body), sha256(whole));
  const byDate = await curl(url, ['-r', '10-19', '-H', `If-Range: ${headers['last-modified']}`]);
  t.equal(byDate.status, 206, 'matching date: the range');

  const multi = await curl(url, ['-r', '0-9,100-109']);
  t.equal(multi.status, 206);
  const boundary = /boundary=(\S+)/.exec(multi.headers['content-type'] ?? '')?.[1];
  t.match(multi.headers['content-type'], /^multipart\/byteranges; boundary=/);
  t.equal(multi.headers['content-length'], String(multi.body.length), 'exact Content-Length');
  const parts = multi.body.toString('latin1').split(`--${boundary}`).slice(1, -1);
  t.equal(parts.length, 2, 'two parts');
  const expected = [[0, 9], [100, 109]];
  parts.forEach((part, index) => {
    const [start, end] = expected[index];
    t.match(part, `Content-Range: bytes ${start}-${end}/${whole.length}`);
    const data = Buffer.from(part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, ''), 'latin1');
    t.ok(data.equals(whole.subarray(start, end + 1)), `part ${index + 1} bytes`);
  });

  const overlapping = await curl(url, ['-r', '0-100,50-150']);
  t.equal(overlapping.status, 200, 'overlapping ranges: the whole file, never a wrong body');
  t.equal(sha256(overlapping.body), sha256(whole));
});

void t.test('conditional requests', async (t) => {
  const url = `${base}/chrome/site/site.css`;
  const first = await curl(url);
  const etag = first.headers.etag;

  const byTag = await curl(url, ['-H', `If-None-Match: ${etag}`]);
  t.equal(byTag.status, 304);
  t.equal(byTag.body.length, 0, 'no body');
  t.equal(byTag.headers.etag, etag, '304 carries the ETag');
  const byDate = await curl(url, ['-H', `If-Modified-Since: ${first.headers['last-modified']}`]);
  t.equal(byDate.status, 304);
  const old = await curl(url, ['-H', 'If-Modified-Since: Thu, 01 Jan 2004 00:00:00 GMT']);
  t.equal(old.status, 200);
  const other = await curl(url, ['-H', 'If-None-Match: "something-else"']);
  t.equal(other.status, 200);
  const ifMatch = await curl(url, ['-H', 'If-Match: "something-else"']);
  t.equal(ifMatch.status, 412);
});

void t.test('compressed variants and the memory cache', async (t) => {
  const url = `${base}/chrome/site/site.css`;
  const css = files.get('site.css') as Buffer;

  const brotli = await curl(url, ['-H', 'Accept-Encoding: br']);
  t.equal(brotli.headers['content-encoding'], 'br');
  t.equal(brotli.headers.vary, 'Accept-Encoding');
  t.ok(zlib.brotliDecompressSync(brotli.body).equals(css), 'br decodes to the file');
  const plain = await curl(url, ['-H', 'Accept-Encoding: identity']);
  t.notOk(plain.headers['content-encoding'], 'identity when asked');
  t.not(brotli.headers.etag, plain.headers.etag, 'each coding has its own ETag');
  const refused = await curl(url, ['-H', 'Accept-Encoding: br;q=0, gzip']);
  t.equal(refused.headers['content-encoding'], 'gzip', 'q=0 refuses br');

  // A precompressed sibling newer than the file is used as it is.
  const sibling = zlib.gzipSync(Buffer.from('/* from the sibling */\n'));
  await fs.writeFile(path.join(envPath, 'htdocs', 'sub', 'pre.js'), 'var fromTheFile = 1;\n');
  await fs.writeFile(path.join(envPath, 'htdocs', 'sub', 'pre.js.gz'), sibling);
  const precompressed = await curl(`${base}/chrome/site/sub/pre.js`, ['-H', 'Accept-Encoding: gzip']);
  t.equal(precompressed.headers['content-encoding'], 'gzip');
  t.ok(precompressed.body.equals(sibling), 'the .gz sibling bytes');

  // An edit is noticed: the cache revalidates by size, mtime and inode.
  const edited = path.join(envPath, 'htdocs', 'sub', 'a b.txt');
  t.equal((await curl(`${base}/chrome/site/sub/a%20b.txt`)).body.toString(), 'spaced\n');
  await fs.writeFile(edited, 'edited!\n');
  await fs.utimes(edited, new Date(), new Date(Date.now() + 5000));
  t.equal((await curl(`${base}/chrome/site/sub/a%20b.txt`)).body.toString(), 'edited!\n');
});

void t.test('nothing outside the served folder is reachable', async (t) => {
  const attempts = [
    '/chrome/site/../conf/trac.ini',
    '/chrome/site/%2e%2e/conf/trac.ini',
    '/chrome/site/%2E%2E/conf/trac.ini',
    '/chrome/site/.%2e/conf/trac.ini',
    '/chrome/site/%2e%2e%2fconf%2ftrac.ini',
    '/chrome/site/..%2fconf%2ftrac.ini',
    '/chrome/site/..%5cconf%5ctrac.ini',
    '/chrome/site/..\\conf\\trac.ini',
    '/chrome/site/%252e%252e/conf/trac.ini',
    '/chrome/site/%252e%252e%252fconf%252ftrac.ini',
    '/chrome/site/site.css%00.png',
    '/chrome/site/.htpasswd',
    '/chrome/site/%2ehtpasswd',
    '/chrome/site/leak.txt',
    '/chrome/site/leakdir/outside.txt',
    '/chrome/site//etc/passwd',
    '/chrome/common/../../../../etc/passwd',
    '/chrome/common/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/chrome/common/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/chrome/%2e%2e/conf/trac.ini',
    '/chrome/media-kit/../index.js',
    '/chrome/nosuchprefix/x.css',
  ];
  for (const target of attempts) {
    const response = await sendRaw(base, target);
    t.ok([400, 403, 404].includes(response.status), `${target}: ${response.status}`);
    t.notMatch(response.body, /secret-outside-7731|root:x:0|\[trac\]|\$apr1\$/, `${target}: leaks nothing`);
  }
});

void t.test('plugin media', async (t) => {
  const response = await curl(`${base}/chrome/media-kit/js/kit.js`);
  t.equal(response.status, 200);
  t.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(response.body.toString(), 'console.log("kit");\n');
});

void t.test('methods other than GET and HEAD', async (t) => {
  const response = await curl(`${base}/chrome/site/site.css`, ['-X', 'DELETE']);
  t.equal(response.status, 405);
  t.equal(response.headers.allow, 'GET, HEAD');
});

/** Open descriptors of this process that point at `file`. */
async function openHandles(file: string): Promise<number> {
  const entries = await fs.readdir('/proc/self/fd');
  let count = 0;
  for (const entry of entries) {
    const target = await fs.readlink(`/proc/self/fd/${entry}`).catch(() => '');
    if (target === file) count += 1;
  }
  return count;
}

void t.test('a client leaving mid-download leaves no open file', { skip: process.platform !== 'linux' &&
  'needs /proc/self/fd (Linux)' }, async (t) => {
  const file = path.join(envPath, 'htdocs', 'leave.bin');
  await fs.truncate(await fs.open(file, 'w').then(async (h) => { await h.close(); return file; }),
    512 * 1024 * 1024);
  const real = await fs.realpath(file);

  for (let round = 0; round < 3; round += 1) {
    const openWhileReading = await new Promise<number>((resolve, reject) => {
      const request = http.get(`${base}/chrome/site/leave.bin`, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes < 1024 * 1024 || response.isPaused()) return;
          response.pause();
          void openHandles(real).then((count) => {
            request.destroy();
            resolve(count);
          }, reject);
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
    });
    t.equal(openWhileReading, 1, `round ${round + 1}: the file is open while it is sent`);
  }

  // Clients that hang up as soon as they asked, before the first byte was read.
  const { hostname, port } = new URL(base);
  await Promise.all(Array.from({ length: 20 }, () => new Promise<void>((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`GET /chrome/site/leave.bin HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`, () => {
        socket.destroy();
        resolve();
      });
    });
    socket.on('error', () => resolve());
  })));
  t.ok(await eventually(async () => (await openHandles(real)) === 0, 5000),
    'no descriptor of the file stays open');
});

// Reading a fresh sparse file costs the kernel about 6 s per GiB on this kind of machine, so the
// suite streams 1 GiB; bench/files.ts streams 3 GiB and reports the memory it took.
void t.test('a 1 GiB file streams with flat memory', async (t) => {
  const size = 1024 * 1024 * 1024;
  const file = path.join(envPath, 'htdocs', 'huge.iso');
  const handle = await fs.open(file, 'w');
  await handle.truncate(size);
  await handle.close();

  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  try {
    const { stdout } = await execFileAsync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}',
      `${base}/chrome/site/huge.iso`]);
    t.equal(stdout, `200 ${size}`, 'every byte arrived');
  } finally {
    clearInterval(sampler);
  }
  const growth = peak - before;
  t.ok(growth < 128 * 1024 * 1024, `resident memory grew by ${Math.round(growth / 1048576)} MiB (< 128)`);
  await fs.rm(file);
});

void t.test('X-Sendfile hands the transfer to a front server', async (t) => {
  const dir = await tempDir('gh-files-xs-');
  const xsEnv = await makeEnvironment(dir, 'xs', {
    config: { trac: { use_xsendfile: 'true', xsendfile_header: 'X-Accel-Redirect' } },
  });
  await fs.writeFile(path.join(xsEnv, 'htdocs', 'big.bin'), patterned(100000, 7));
  const xsServer = await startServer({ env: xsEnv });
  t.teardown(() => xsServer.close());

  const response = await curl(`${xsServer.url}/chrome/site/big.bin`);
  t.equal(response.status, 200);
  t.equal(response.headers['x-accel-redirect'], await fs.realpath(path.join(xsEnv, 'htdocs', 'big.bin')));
  t.equal(response.body.length, 0, 'no bytes from us');
  t.equal(response.headers['content-type'], 'application/octet-stream');
  const notModified = await curl(`${xsServer.url}/chrome/site/big.bin`,
    ['-H', `If-None-Match: ${response.headers.etag}`]);
  t.equal(notModified.status, 304, 'validators still answered here');
});
