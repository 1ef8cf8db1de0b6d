import t from 'tap';
import { contentRange, MAX_RANGES, parseRange, unsatisfiedRange } from './ranges';

void t.test('no header or a header we do not understand means the whole file', async (t) => {
  t.same(parseRange(undefined, 100), { kind: 'whole' });
  t.same(parseRange('items=0-5', 100), { kind: 'whole' }, 'unknown unit');
  t.same(parseRange('bytes=abc', 100), { kind: 'whole' }, 'garbage');
  t.same(parseRange('bytes=5-2', 100), { kind: 'whole' }, 'last before first voids the header');
  t.same(parseRange('bytes=-', 100), { kind: 'whole' });
  t.same(parseRange('bytes=', 100), { kind: 'whole' });
  t.same(parseRange('bytes 0-1', 100), { kind: 'whole' }, 'no equals sign');
});

void t.test('single ranges of every form', async (t) => {
  t.same(parseRange('bytes=0-99', 102400), { kind: 'ranges', ranges: [{ start: 0, end: 99 }] });
  t.same(parseRange('BYTES=10-', 100), { kind: 'ranges', ranges: [{ start: 10, end: 99 }] },
    'open-ended, unit case-insensitive');
  t.same(parseRange('bytes=-10', 100), { kind: 'ranges', ranges: [{ start: 90, end: 99 }] },
    'suffix');
  t.same(parseRange('bytes=-1000', 100), { kind: 'ranges', ranges: [{ start: 0, end: 99 }] },
    'suffix longer than the file');
  t.same(parseRange('bytes=50-5000', 100), { kind: 'ranges', ranges: [{ start: 50, end: 99 }] },
    'end clipped to the file');
  t.same(parseRange('bytes=0-0', 1), { kind: 'ranges', ranges: [{ start: 0, end: 0 }] });
});

void t.test('ranges that miss the file are unsatisfiable', async (t) => {
  t.same(parseRange('bytes=999999-', 102400), { kind: 'unsatisfiable' });
  t.same(parseRange('bytes=100-200', 100), { kind: 'unsatisfiable' });
  t.same(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' }, 'zero-length suffix');
  t.same(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' }, 'any range of an empty file');
  t.same(parseRange('bytes=200-300, 0-1', 100), { kind: 'ranges', ranges: [{ start: 0, end: 1 }] },
    'satisfiable ones are kept when others miss');
});

void t.test('several ranges', async (t) => {
  t.same(parseRange('bytes=0-1, 5-6', 10),
    { kind: 'ranges', ranges: [{ start: 0, end: 1 }, { start: 5, end: 6 }] });
  t.same(parseRange('bytes=0-5,3-8', 10), { kind: 'whole' }, 'overlapping ranges: whole file');
  const many = Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i * 2}-${i * 2}`).join(',');
  t.same(parseRange(`bytes=${many}`, 1000), { kind: 'whole' }, 'too many ranges: whole file');
});

void t.test('Content-Range values', async (t) => {
  t.equal(contentRange({ start: 0, end: 99 }, 102400), 'bytes 0-99/102400');
  t.equal(unsatisfiedRange(5), 'bytes */5');
});
