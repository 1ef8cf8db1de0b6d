import t from 'tap';
import { evaluatePreconditions, fileValidators, ifRangeAllowsRange } from './conditional';

const stat = { size: 102400, mtimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678), ino: 4242 };
const v = fileValidators(stat);

void t.test('validators', async (t) => {
  t.match(v.etag, /^"[0-9a-z]+-[0-9a-z]+-[0-9a-z]+"$/, 'a strong tag');
  t.equal(v.lastModified, 'Tue, 02 Jan 2024 03:04:05 GMT', 'whole seconds');
  t.not(fileValidators({ ...stat, size: 1 }).etag, v.etag, 'size changes the tag');
  t.not(fileValidators({ ...stat, mtimeMs: stat.mtimeMs + 1 }).etag, v.etag, 'mtime changes it');
  t.not(fileValidators({ ...stat, ino: 1 }).etag, v.etag, 'a replaced file changes it');
  t.not(fileValidators(stat, '-br').etag, v.etag, 'a coded variant has its own tag');
});

void t.test('If-None-Match and If-Modified-Since give not-modified', async (t) => {
  t.equal(evaluatePreconditions({}, v), 'proceed');
  t.equal(evaluatePreconditions({ 'if-none-match': v.etag }, v), 'not-modified');
  t.equal(evaluatePreconditions({ 'if-none-match': `"x", W/${v.etag}` }, v), 'not-modified',
    'weak comparison');
  t.equal(evaluatePreconditions({ 'if-none-match': '*' }, v), 'not-modified');
  t.equal(evaluatePreconditions({ 'if-none-match': '"other"' }, v), 'proceed');
  t.equal(evaluatePreconditions({ 'if-modified-since': v.lastModified }, v), 'not-modified');
  t.equal(evaluatePreconditions({ 'if-modified-since': 'Mon, 01 Jan 2024 00:00:00 GMT' }, v),
    'proceed');
  t.equal(evaluatePreconditions({ 'if-modified-since': 'not a date' }, v), 'proceed');
  t.equal(evaluatePreconditions({ 'if-none-match': '"other"', 'if-modified-since': v.lastModified },
    v), 'proceed', 'If-None-Match takes precedence (RFC 9110 §13.2.2)');
});

void t.test('If-Match and If-Unmodified-Since fail with 412', async (t) => {
  t.equal(evaluatePreconditions({ 'if-match': v.etag }, v), 'proceed');
  t.equal(evaluatePreconditions({ 'if-match': '"other"' }, v), 'precondition-failed');
  t.equal(evaluatePreconditions({ 'if-match': `W/${v.etag}` }, v), 'precondition-failed',
    'strong comparison');
  t.equal(evaluatePreconditions({ 'if-unmodified-since': 'Mon, 01 Jan 2024 00:00:00 GMT' }, v),
    'precondition-failed');
  t.equal(evaluatePreconditions({ 'if-unmodified-since': v.lastModified }, v), 'proceed');
});

void t.test('If-Range', async (t) => {
  t.ok(ifRangeAllowsRange({}, v));
  t.ok(ifRangeAllowsRange({ 'if-range': v.etag }, v));
  t.notOk(ifRangeAllowsRange({ 'if-range': '"stale"' }, v));
  t.notOk(ifRangeAllowsRange({ 'if-range': `W/${v.etag}` }, v), 'weak tags never match');
  t.ok(ifRangeAllowsRange({ 'if-range': v.lastModified }, v));
  t.notOk(ifRangeAllowsRange({ 'if-range': 'Mon, 01 Jan 2024 00:00:00 GMT' }, v));
});
