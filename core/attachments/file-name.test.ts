import t from 'tap';
import { cleanFileName, numberedFileName } from './file-name';
import { attachmentFile, hashedFileName } from './attachment-path';
import { parseAttachmentPath } from './attachment-request';
import { parseResource } from './resource';

void t.test('client file names are cleaned', async (t) => {
  t.equal(cleanFileName('report.pdf'), 'report.pdf');
  t.equal(cleanFileName('C:\\Users\\me\\Desktop\\report.pdf'), 'report.pdf');
  t.equal(cleanFileName('/home/me/report.pdf'), 'report.pdf');
  t.equal(cleanFileName('  spaced.txt  '), 'spaced.txt');
  t.equal(cleanFileName('a\r\nb\u0000c.txt'), 'abc.txt', 'control characters go');
  t.equal(cleanFileName('invoice\u202Etxt.exe'), 'invoicetxt.exe', 'direction overrides go');
  t.equal(cleanFileName('re\u0301sume\u0301.txt'), 'résumé.txt', 'NFD becomes NFC');
  t.equal(cleanFileName('..'), '');
  t.equal(cleanFileName('dir/'), '');
  t.equal([...cleanFileName('x'.repeat(500))].length, 200, 'bounded length');
});

void t.test('numbered names as Trac makes them', async (t) => {
  t.equal(numberedFileName('foo.txt', 2), 'foo.2.txt');
  t.equal(numberedFileName('archive.tar.gz', 3), 'archive.tar.3.gz');
  t.equal(numberedFileName('README', 2), 'README.2');
  t.equal(numberedFileName('.bashrc', 2), '.bashrc.2');
});

void t.test("Trac's on-disk layout", async (t) => {
  // sha1('WikiStart') and sha1('blob.bin'), as Python's hashlib gives them.
  t.equal(attachmentFile('/env', 'wiki', 'WikiStart', 'blob.bin'),
    '/env/files/attachments/wiki/f09/f0955265d583361233790e2a4da795373c345a9f/' +
    '7b808454f856f00de80d43e84ee0e71ed2fd941c.bin');
  t.match(hashedFileName('archive.tar.gz'), /^[0-9a-f]{40}\.gz$/, 'last extension only');
  t.match(hashedFileName('README'), /^[0-9a-f]{40}$/, 'no extension');
  t.match(hashedFileName('odd.ext-1'), /^[0-9a-f]{40}$/, 'an extension with other characters is dropped');
  t.throws(() => attachmentFile('/env', '../x', 'a', 'b'), { code: 'GH_ERR_ATTACHMENT_BAD_RESOURCE' });
});

void t.test('attachment URLs and resources', async (t) => {
  t.same(parseAttachmentPath('/attachment/wiki/WikiStart/a%20b.txt'),
    { kind: 'attachment', ref: { realm: 'wiki', id: 'WikiStart' }, filename: 'a b.txt' });
  t.same(parseAttachmentPath('/raw-attachment/wiki/Foo/Bar/x.txt'),
    { kind: 'raw-attachment', ref: { realm: 'wiki', id: 'Foo/Bar' }, filename: 'x.txt' });
  t.same(parseAttachmentPath('/attachment/ticket/42/'),
    { kind: 'attachment', ref: { realm: 'ticket', id: '42' }, filename: '' }, 'the list');
  t.equal(parseAttachmentPath('/attachment/wiki/'), undefined);
  t.equal(parseAttachmentPath('/attachment/wiki/WikiStart'), undefined, 'no id');
  t.equal(parseAttachmentPath('/attachment/..%2f/x/y'), undefined, 'a realm must be a plain name');
  t.equal(parseAttachmentPath('/attachment/wiki/X/a%2fb'), undefined, 'no slash in a file name');
  t.same(parseResource('wiki:Foo/Bar'), { realm: 'wiki', id: 'Foo/Bar' });
  t.same(parseResource('ticket:1:2'), { realm: 'ticket', id: '1:2' });
  t.throws(() => parseResource('WikiStart'), { code: 'GH_ERR_ATTACHMENT_BAD_RESOURCE' });
  t.throws(() => parseResource('wiki:'), { code: 'GH_ERR_ATTACHMENT_BAD_RESOURCE' });
  t.throws(() => parseResource('a/b:c'), { code: 'GH_ERR_ATTACHMENT_BAD_RESOURCE' });
});
