/**
 * Attachments end to end: uploads over HTTP with curl at the sizes that broke old file
 * wrappers, downloads with and without ranges, names (numbering, replace, cleaning, non-ASCII),
 * [attachment] max_size while streaming, form tokens, permissions, delete, unsafe content,
 * an environment laid out by Trac, the admin command, and an upload cut off midway.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { curl as curlTool, sha256, type Fetched } from './helpers/curl';
import { startServer, type RunningServer } from '../core/server-app';
import { cleanup, makeEnvironment, tempDir } from './helpers/environments';
import { admin, eventually, installPlugin, sendRaw, withEnvDb } from './fixtures/core-kit';


let scratch = '';
let server: RunningServer;
let dir = '';
const TOKEN = crypto.randomBytes(24).toString('hex');
const envs: Record<string, string> = {};

function curl(url: string, args: string[] = []): Promise<Fetched> {
  return curlTool(url, args, scratch);
}


function sha1(text: string): string {
  return crypto.createHash('sha1').update(text, 'utf8').digest('hex');
}

function randomBytes(size: number): Buffer {
  return size === 0 ? Buffer.alloc(0) : crypto.randomBytes(size);
}

/** Uploads `file` as `name` with curl's multipart form, the way a browser posts the form. */
async function upload(env: string, resource: string, file: string, name: string,
  extra: string[] = []): Promise<Fetched> {
  return curl(`${server.url}/${env}/attachment/${resource}/`, [
    '-b', `trac_form_token=${TOKEN}`, '-F', `__FORM_TOKEN=${TOKEN}`,
    '-F', `attachment=@${file};filename=${name}`, ...extra,
  ]);
}

/** The stored name an upload ended up with, from the redirect to its page. */
function storedName(response: Fetched): string {
  return decodeURIComponent((response.headers.location ?? '').split('/').pop() ?? '');
}

async function listing(env: string, resource: string, user?: string):
  Promise<Array<{ filename: string; size: number; author: string; description: string }>> {
  const args = ['-H', 'Accept: application/json', ...(user ? ['-H', `X-Test-User: ${user}`] : [])];
  const response = await curl(`${server.url}/${env}/attachment/${resource}/`, args);
  return (JSON.parse(response.body.toString()) as { attachments: [] }).attachments;
}

/** Files in the folder Trac keeps a resource's attachments in. */
async function folderFiles(env: string, realm: string, id: string): Promise<string[]> {
  const hash = sha1(id);
  const folder = path.join(envs[env], 'files', 'attachments', realm, hash.slice(0, 3), hash);
  return (await fs.readdir(folder).catch(() => [] as string[])).sort();
}

async function grant(env: string, subject: string, ...actions: string[]): Promise<void> {
  const run = await admin([envs[env], 'permission', 'add', subject, ...actions]);
  if (run.status !== 0) throw new Error(`permission add failed: ${run.err} ${run.error?.message ?? ''}`);
}

t.before(async () => {
  dir = await tempDir('gh-attach-');
  scratch = await fs.mkdtemp(path.join(await tempDir('gh-attach-scratch-'), 'x-'));
  envs.open = await makeEnvironment(dir, 'open', { config: { attachment: { max_size: '8388608' } } });
  envs.strict = await makeEnvironment(dir, 'strict', {
    config: { attachment: { max_size: '65536' }, test_auth: { paths: '/' },
      components: { 'test_auth.*': 'enabled' } },
  });
  envs.render = await makeEnvironment(dir, 'render', {
    config: { attachment: { render_unsafe_content: 'true', max_size: '-1' } },
  });
  envs.tracenv = await makeEnvironment(dir, 'tracenv');
  await installPlugin(path.join(envs.strict, 'plugins'), 'test_auth');

  await grant('open', 'anonymous', 'ATTACHMENT_VIEW', 'ATTACHMENT_CREATE', 'ATTACHMENT_DELETE');
  await grant('render', 'anonymous', 'ATTACHMENT_VIEW', 'ATTACHMENT_CREATE');
  await grant('tracenv', 'anonymous', 'ATTACHMENT_VIEW');
  await grant('strict', 'alice', 'ATTACHMENT_VIEW', 'ATTACHMENT_CREATE');
  await grant('strict', 'bob', 'ATTACHMENT_VIEW', 'ATTACHMENT_CREATE');
  await grant('strict', 'carol', 'ATTACHMENT_VIEW', 'ATTACHMENT_CREATE', 'ATTACHMENT_DELETE');
  await grant('strict', 'dave', 'ATTACHMENT_VIEW');

  server = await startServer({ envParentDir: dir });
});

t.teardown(async () => {
  await server?.close();
  await cleanup();
});

void t.test('uploads of every size come back byte for byte, whole and in ranges', async (t) => {
  const sizes = [0, 1, 65535, 65536, 65537, 5 * 1024 * 1024];
  for (const size of sizes) {
    const data = randomBytes(size);
    const file = path.join(scratch, `up-${size}.bin`);
    await fs.writeFile(file, data);

    const posted = await upload('open', 'wiki/WikiStart', file, `up-${size}.bin`);
    t.equal(posted.status, 303, `${size} B: uploaded`);
    t.equal(storedName(posted), `up-${size}.bin`, `${size} B: stored under its name`);

    const raw = `${server.url}/open/raw-attachment/wiki/WikiStart/up-${size}.bin`;
    const got = await curl(raw);
    t.equal(got.status, 200, `${size} B: 200`);
    t.equal(got.headers['content-length'], String(size), `${size} B: Content-Length`);
    t.equal(sha256(got.body), sha256(data), `${size} B: sha256`);
    const head = await curl(raw, ['-I']);
    t.equal(head.headers['content-length'], String(size), `${size} B: HEAD Content-Length`);

    if (size >= 2) {
      const half = Math.floor(size / 2);
      const ranged = await curl(raw, ['-r', `${half}-`]);
      t.equal(ranged.status, 206, `${size} B: range 206`);
      t.equal(sha256(ranged.body), sha256(data.subarray(half)), `${size} B: second half`);
      const first = await curl(raw, ['-r', '0-0']);
      t.ok(first.body.equals(data.subarray(0, 1)), `${size} B: first byte`);
    }
  }

  const list = await listing('open', 'wiki/WikiStart');
  t.same(list.map((entry) => [entry.filename, entry.size]),
    sizes.map((size) => [`up-${size}.bin`, size]), 'the list has each with its size');
  t.equal(list[0].author, 'anonymous');
});

void t.test('names: numbering, replace, cleaning, non-ASCII', async (t) => {
  const file = path.join(scratch, 'note.txt');
  await fs.writeFile(file, 'first\n');
  t.equal(storedName(await upload('open', 'wiki/Names', file, 'foo.txt')), 'foo.txt');
  await fs.writeFile(file, 'second\n');
  t.equal(storedName(await upload('open', 'wiki/Names', file, 'foo.txt')), 'foo.2.txt', 'Trac numbering');
  t.equal(storedName(await upload('open', 'wiki/Names', file, 'foo.txt')), 'foo.3.txt');

  await fs.writeFile(file, 'replaced\n');
  const replaced = await upload('open', 'wiki/Names', file, 'foo.txt', ['-F', 'replace=1']);
  t.equal(storedName(replaced), 'foo.txt', 'replace keeps the name');
  t.equal((await curl(`${server.url}/open/raw-attachment/wiki/Names/foo.txt`)).body.toString(), 'replaced\n');

  t.equal(storedName(await upload('open', 'wiki/Names', file, '..\\..\\Windows\\evil.txt')), 'evil.txt',
    'path parts of a Windows name are dropped');
  t.equal(storedName(await upload('open', 'wiki/Names', file, '../../../etc/passwd')), 'passwd',
    'path parts of a POSIX name are dropped');

  const accented = await upload('open', 'wiki/Names', file, 'résumé 2024.txt');
  t.equal(storedName(accented), 'résumé 2024.txt', 'UTF-8 names survive');
  const raw = await curl(`${server.url}/open/raw-attachment/wiki/Names/${encodeURIComponent('résumé 2024.txt')}`);
  t.equal(raw.headers['content-disposition'],
    'inline; filename="resume 2024.txt"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9%202024.txt');
  t.equal(raw.headers['content-type'], 'text/plain; charset=utf-8');
  t.equal(raw.headers['x-content-type-options'], 'nosniff');

  const names = (await listing('open', 'wiki/Names')).map((entry) => entry.filename).sort();
  t.same(names, ['evil.txt', 'foo.2.txt', 'foo.3.txt', 'foo.txt', 'passwd', 'résumé 2024.txt']);
  t.equal((await folderFiles('open', 'wiki', 'Names')).length, 6, 'one file on disk each');
});

void t.test('max_size is enforced while the upload streams', async (t) => {
  const exact = path.join(scratch, 'exact.bin');
  const over = path.join(scratch, 'over.bin');
  const huge = path.join(scratch, 'huge.bin');
  await fs.writeFile(exact, randomBytes(65536));
  await fs.writeFile(over, randomBytes(65537));
  await fs.writeFile(huge, randomBytes(5 * 1024 * 1024));
  const as = ['-H', 'X-Test-User: alice', '-H', 'Accept: application/json'];

  const ok = await upload('strict', 'wiki/Limits', exact, 'exact.bin', as);
  t.equal(ok.status, 201, 'exactly max_size is accepted');
  t.equal(JSON.parse(ok.body.toString()).size, 65536);

  for (const [file, name] of [[over, 'over.bin'], [huge, 'huge.bin']]) {
    const refused = await upload('strict', 'wiki/Limits', file, name, as);
    t.equal(refused.status, 413, `${name}: 413`);
    const error = JSON.parse(refused.body.toString()) as { error: { code: string; message: string } };
    t.equal(error.error.code, 'GH_ERR_ATTACHMENT_TOO_LARGE', `${name}: the error code`);
    t.match(error.error.message, /65536 bytes/, `${name}: the message names the limit`);
  }
  t.same((await listing('strict', 'wiki/Limits', 'alice')).map((entry) => entry.filename), ['exact.bin'],
    'no row for refused uploads');
  t.equal((await folderFiles('strict', 'wiki', 'Limits')).length, 1, 'no partial file left on disk');
});

void t.test('form token and permissions guard uploads and deletes', async (t) => {
  const file = path.join(scratch, 'guard.txt');
  await fs.writeFile(file, 'guarded\n');
  const url = `${server.url}/open/attachment/wiki/Guard/`;

  const noToken = await curl(url, ['-H', 'Accept: application/json', '-F', `attachment=@${file}`]);
  t.equal(noToken.status, 400, 'no form token: 400');
  t.equal(JSON.parse(noToken.body.toString()).error.code, 'GH_ERR_FORM_TOKEN');
  const wrongToken = await curl(url, ['-b', `trac_form_token=${TOKEN}`,
    '-F', `__FORM_TOKEN=${'0'.repeat(48)}`, '-F', `attachment=@${file}`]);
  t.equal(wrongToken.status, 400, 'a wrong token: 400');
  t.same(await listing('open', 'wiki/Guard'), [], 'nothing stored');
  t.same(await folderFiles('open', 'wiki', 'Guard'), [], 'no file left behind');

  const denied = await upload('strict', 'wiki/Guard', file, 'guard.txt', ['-H', 'X-Test-User: dave']);
  t.equal(denied.status, 403, 'ATTACHMENT_CREATE is needed');
  t.same(await folderFiles('strict', 'wiki', 'Guard'), [], 'nothing written for a refused user');

  t.equal((await upload('strict', 'wiki/Guard', file, 'guard.txt', ['-H', 'X-Test-User: alice'])).status, 303);
  const notOwner = await upload('strict', 'wiki/Guard', file, 'guard.txt',
    ['-H', 'X-Test-User: bob', '-F', 'replace=1']);
  t.equal(notOwner.status, 403, "replacing someone else's upload needs ATTACHMENT_DELETE");
  const owner = await upload('strict', 'wiki/Guard', file, 'guard.txt',
    ['-H', 'X-Test-User: alice', '-F', 'replace=1']);
  t.equal(storedName(owner), 'guard.txt', 'the uploader may replace their own');

  const page = `${server.url}/strict/attachment/wiki/Guard/guard.txt`;
  const form = ['-b', `trac_form_token=${TOKEN}`, '--data', `action=delete&__FORM_TOKEN=${TOKEN}`];
  t.equal((await curl(page, ['-H', 'X-Test-User: alice', ...form])).status, 403,
    'deleting needs ATTACHMENT_DELETE');
  t.equal((await curl(page, ['-H', 'X-Test-User: carol', '-b', `trac_form_token=${TOKEN}`,
    '--data', 'action=delete'])).status, 400, 'deleting needs the form token');
  const deleted = await curl(page, ['-H', 'X-Test-User: carol', ...form]);
  t.equal(deleted.status, 303, 'deleted');
  t.match(deleted.headers.location, /\/strict\/attachment\/wiki\/Guard\/$/, 'back to the list');
  t.same(await listing('strict', 'wiki/Guard', 'carol'), [], 'the row is gone');
  t.same(await folderFiles('strict', 'wiki', 'Guard'), [], 'the file is gone');
  t.equal((await curl(`${server.url}/strict/raw-attachment/wiki/Guard/guard.txt`,
    ['-H', 'X-Test-User: carol'])).status, 404);
});

void t.test('active content is downloaded unless render_unsafe_content is on', async (t) => {
  const file = path.join(scratch, 'page.html');
  await fs.writeFile(file, '<script>alert(document.cookie)</script>\n');
  const svg = path.join(scratch, 'pic.svg');
  await fs.writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\n');

  for (const [name, source] of [['page.html', file], ['pic.svg', svg]]) {
    await upload('open', 'wiki/Unsafe', source, name);
    const raw = await curl(`${server.url}/open/raw-attachment/wiki/Unsafe/${name}`);
    t.match(raw.headers['content-disposition'], new RegExp(`^attachment; filename="${name}"`),
      `${name}: sent as a download`);
    t.match(raw.headers['content-security-policy'], /sandbox/, `${name}: sandboxed`);
    t.equal(raw.headers['x-content-type-options'], 'nosniff');

    await upload('render', 'wiki/Unsafe', source, name);
    const rendered = await curl(`${server.url}/render/raw-attachment/wiki/Unsafe/${name}`);
    t.match(rendered.headers['content-disposition'], /^inline/, `${name}: inline when allowed`);
  }

  const asText = await curl(`${server.url}/open/attachment/wiki/Unsafe/page.html?format=txt`);
  t.equal(asText.headers['content-type'], 'text/plain; charset=utf-8', 'format=txt is plain text');
  const pageView = await curl(`${server.url}/open/attachment/wiki/Unsafe/page.html`);
  t.equal(pageView.status, 200);
  t.match(pageView.body.toString(), '&lt;script&gt;alert(document.cookie)&lt;/script&gt;',
    'the HTML page shows the source escaped');
  t.notMatch(pageView.body.toString(), '<script>alert');
});

void t.test('an environment laid out by Trac serves its attachments as they are', async (t) => {
  // Trac 1.x: files/attachments/<realm>/<sha1(id)[:3]>/<sha1(id)>/<sha1(name)><ext>, rows with
  // the time in microseconds.
  const fixture = [
    { realm: 'wiki', id: 'WikiStart', name: 'diagram.png', ext: '.png', data: randomBytes(70000) },
    { realm: 'wiki', id: 'WikiStart', name: 'résumé.txt', ext: '.txt', data: Buffer.from('été\n') },
    { realm: 'wiki', id: 'WikiStart', name: 'README', ext: '', data: Buffer.from('no extension\n') },
    { realm: 'wiki', id: 'WikiStart', name: 'archive.tar.gz', ext: '.gz', data: randomBytes(3000) },
    { realm: 'wiki', id: 'Foo/Bar', name: 'notes.txt', ext: '.txt', data: Buffer.from('nested page\n') },
    { realm: 'ticket', id: '42', name: 'fix.diff', ext: '.diff', data: Buffer.from('--- a\n+++ b\n') },
  ];
  let time = 1500000000000000;
  await withEnvDb(server, envs.tracenv, 'tracenv', async (db) => {
    for (const item of fixture) {
      const idHash = sha1(item.id);
      const folder = path.join(envs.tracenv, 'files', 'attachments', item.realm, idHash.slice(0, 3), idHash);
      await fs.mkdir(folder, { recursive: true });
      await fs.writeFile(path.join(folder, sha1(item.name) + item.ext), item.data);
      time += 1000000;
      await db.run('INSERT INTO attachment (type, id, filename, size, time, description, author) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)', [item.realm, item.id, item.name, item.data.length, time,
        `the ${item.name}`, 'tracuser']);
    }
  });

  for (const item of fixture) {
    const id = item.id.split('/').map(encodeURIComponent).join('/');
    const url = `${server.url}/tracenv/raw-attachment/${item.realm}/${id}/${encodeURIComponent(item.name)}`;
    const got = await curl(url);
    t.equal(got.status, 200, `${item.realm}:${item.id} ${item.name}: 200`);
    t.equal(sha256(got.body), sha256(item.data), `${item.name}: the bytes Trac stored`);
  }
  const list = await listing('tracenv', 'wiki/WikiStart');
  t.same(list.map((entry) => entry.filename), ['diagram.png', 'résumé.txt', 'README', 'archive.tar.gz'],
    'listed in Trac\'s order (by time)');
  t.equal(list[0].author, 'tracuser');
  const page = await curl(`${server.url}/tracenv/attachment/wiki/Foo/Bar/notes.txt`);
  t.equal(page.status, 200, 'a page id with a slash');
  t.match(page.body.toString(), 'nested page');
});

void t.test('attachment paths cannot reach other files', async (t) => {
  const attempts = [
    '/open/raw-attachment/wiki/WikiStart/..%2f..%2f..%2fconf%2ftrac.ini',
    '/open/raw-attachment/wiki/WikiStart/../../../conf/trac.ini',
    '/open/raw-attachment/..%2f..%2fconf/x/trac.ini',
    '/open/raw-attachment/wiki/..%2f..%2f/up-1.bin',
    '/open/raw-attachment/wiki%2f..%2f../WikiStart/up-1.bin',
    '/open/raw-attachment/wiki/WikiStart/up-1.bin%00.txt',
    '/open/raw-attachment/wiki/WikiStart/%2e%2e%5c%2e%2e%5cconf%5ctrac.ini',
    '/open/attachment/wiki/WikiStart/..%252f..%252fconf%252ftrac.ini',
  ];
  for (const target of attempts) {
    const response = await sendRaw(server.url, target);
    t.ok([400, 403, 404].includes(response.status), `${target}: ${response.status}`);
    t.notMatch(response.body, /\[trac\]|database/, `${target}: leaks nothing`);
  }
});

void t.test('gatehouse-admin attachment list|add|remove|export', async (t) => {
  const env = envs.open;
  const source = path.join(scratch, 'cli data.bin');
  const data = randomBytes(100000);
  await fs.writeFile(source, data);

  const added = await admin([env, 'attachment', 'add', 'wiki:CliPage', source, '--author', 'admin',
    '--description', 'from the shell']);
  t.equal(added.status, 0, `add: ${added.err}${added.error?.message ?? ''}`);
  const again = await admin([env, 'attachment', 'add', 'wiki:CliPage', source]);
  t.match(again.out, 'cli data.2.bin', 'a second add is numbered');

  const list = await admin([env, 'attachment', 'list', 'wiki:CliPage']);
  t.match(list.out, /cli data\.bin\s+97\.7 KiB\s+admin\s+\S+\s+from the shell/);
  t.match(list.out, /cli data\.2\.bin\s+97\.7 KiB\s+trac/);

  const served = await curl(`${server.url}/open/raw-attachment/wiki/CliPage/cli%20data.bin`);
  t.equal(sha256(served.body), sha256(data), 'served after add');

  const exported = path.join(scratch, 'exported.bin');
  t.equal((await admin([env, 'attachment', 'export', 'wiki:CliPage', 'cli data.bin', exported])).status, 0);
  t.equal(sha256(await fs.readFile(exported)), sha256(data), 'export writes the bytes');
  const refused = await admin([env, 'attachment', 'export', 'wiki:CliPage', 'cli data.bin', exported]);
  t.equal(refused.error?.code, 'GH_ERR_ATTACHMENT_EXPORT_EXISTS', 'export does not overwrite');

  t.equal((await admin([env, 'attachment', 'remove', 'wiki:CliPage', 'cli data.2.bin'])).status, 0);
  const missing = await admin([env, 'attachment', 'remove', 'wiki:CliPage', 'nope.bin']);
  t.equal(missing.error?.code, 'GH_ERR_ATTACHMENT_NOT_FOUND');
  const bad = await admin([env, 'attachment', 'list', 'WikiStart']);
  t.equal(bad.error?.code, 'GH_ERR_ATTACHMENT_BAD_RESOURCE', 'a resource needs realm:id');
  t.same((await folderFiles('open', 'wiki', 'CliPage')).length, 1, 'one file left on disk');
});

void t.test('an upload cut off midway leaves nothing behind', async (t) => {
  const { hostname, port } = new URL(server.url);
  const boundary = 'cutoffboundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="__FORM_TOKEN"\r\n\r\n${TOKEN}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="cut.bin"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  const whileUploading = await new Promise<string[]>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`POST /open/attachment/wiki/CutOff/ HTTP/1.1\r\nHost: ${hostname}\r\n` +
        `Cookie: trac_form_token=${TOKEN}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${4 * 1024 * 1024}\r\n\r\n${head}`);
      socket.write(randomBytes(512 * 1024), () => {
        void eventually(async () => (await folderFiles('open', 'wiki', 'CutOff')).length > 0, 3000)
          .then(() => folderFiles('open', 'wiki', 'CutOff'))
          .then((files) => {
            socket.destroy();
            resolve(files);
          }, reject);
      });
    });
    socket.on('error', reject);
  });
  t.match(whileUploading, [/^\.upload-[0-9a-f]+$/], 'the upload was streaming to a temporary file');
  t.ok(await eventually(async () => (await folderFiles('open', 'wiki', 'CutOff')).length === 0, 5000),
    'the temporary file is removed');
  t.same(await listing('open', 'wiki/CutOff'), [], 'no row');
});
