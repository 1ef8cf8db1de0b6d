import t from 'tap';
import { contentDisposition, encodeExtValue, sanitizeDownloadName } from './content-disposition';

void t.test('plain ASCII names need only filename=', async (t) => {
  t.equal(contentDisposition('attachment', 'report.pdf'), 'attachment; filename="report.pdf"');
  t.equal(contentDisposition('inline', 'a b.txt'), 'inline; filename="a b.txt"');
  t.equal(contentDisposition('attachment'), 'attachment');
  t.equal(contentDisposition('attachment', ''), 'attachment');
});

void t.test('non-ASCII names get an ASCII stand-in and filename* (RFC 6266 §4.3)', async (t) => {
  t.equal(contentDisposition('attachment', 'résumé.pdf'),
    'attachment; filename="resume.pdf"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf');
  t.equal(contentDisposition('attachment', '日本語.txt'),
    'attachment; filename="___.txt"; filename*=UTF-8\'\'%E6%97%A5%E6%9C%AC%E8%AA%9E.txt');
  t.equal(contentDisposition('inline', 'emoji 😀.png'),
    'inline; filename="emoji _.png"; filename*=UTF-8\'\'emoji%20%F0%9F%98%80.png');
});

void t.test('quotes, backslashes and percent signs never reach the quoted string', async (t) => {
  t.equal(contentDisposition('attachment', 'say "hi".txt'),
    'attachment; filename="say _hi_.txt"; filename*=UTF-8\'\'say%20%22hi%22.txt');
  t.equal(contentDisposition('attachment', '100%.txt'),
    'attachment; filename="100_.txt"; filename*=UTF-8\'\'100%25.txt');
});

void t.test('header injection and path parts are removed', async (t) => {
  t.equal(sanitizeDownloadName('a\r\nSet-Cookie: x=1.txt'), 'aSet-Cookie: x=1.txt');
  t.equal(sanitizeDownloadName('../../etc/passwd'), 'passwd');
  t.equal(sanitizeDownloadName('C:\\Users\\me\\file.txt'), 'file.txt');
  t.notMatch(contentDisposition('attachment', 'x\r\ny'), /[\r\n]/);
});

void t.test('RFC 8187 attr-char are kept as is', async (t) => {
  t.equal(encodeExtValue("a-b_c.d~e!#$&+^`|"), "UTF-8''a-b_c.d~e!#$&+^`|");
  t.equal(encodeExtValue("it's (1)"), "UTF-8''it%27s%20%281%29");
});
