import t from 'tap';
import { VerificationCache } from '../verification-cache';

void t.test('remembers successes for exactly that user and password', async (t) => {
  const cache = new VerificationCache({ maxEntries: 10, maxAgeMs: 1000 });
  cache.remember('alice', 'wonderland');
  t.equal(cache.has('alice', 'wonderland'), true);
  t.equal(cache.has('alice', 'Wonderland'), false);
  t.equal(cache.has('alicew', 'onderland'), false, 'the separator keeps user and password apart');
  t.equal(cache.has('bob', 'wonderland'), false);
});

void t.test('entries expire after their age', async (t) => {
  let now = 1_000_000;
  const cache = new VerificationCache({ maxEntries: 10, maxAgeMs: 300_000, now: () => now });
  cache.remember('alice', 'wonderland');
  now += 299_999;
  t.equal(cache.has('alice', 'wonderland'), true);
  now += 1;
  t.equal(cache.has('alice', 'wonderland'), false);
  t.equal(cache.size, 0, 'an expired entry is dropped when found');
});

void t.test('bounded in size, least recently used first out', async (t) => {
  const cache = new VerificationCache({ maxEntries: 2, maxAgeMs: 1000 });
  cache.remember('a', '1');
  cache.remember('b', '2');
  t.equal(cache.has('a', '1'), true, 'a is now the most recently used');
  cache.remember('c', '3');
  t.equal(cache.size, 2);
  t.equal(cache.has('b', '2'), false, 'b went first');
  t.equal(cache.has('a', '1'), true);
  t.equal(cache.has('c', '3'), true);
});

void t.test('clear and off', async (t) => {
  const cache = new VerificationCache({ maxEntries: 5, maxAgeMs: 1000 });
  cache.remember('a', '1');
  cache.clear();
  t.equal(cache.has('a', '1'), false);

  for (const off of [{ maxEntries: 0, maxAgeMs: 1000 }, { maxEntries: 5, maxAgeMs: 0 }]) {
    const disabled = new VerificationCache(off);
    disabled.remember('a', '1');
    t.equal(disabled.enabled, false);
    t.equal(disabled.has('a', '1'), false);
  }
});

void t.test('two caches never share keys', async (t) => {
  const first = new VerificationCache({ maxEntries: 5, maxAgeMs: 1000 });
  const second = new VerificationCache({ maxEntries: 5, maxAgeMs: 1000 });
  first.remember('a', '1');
  t.equal(second.has('a', '1'), false);
});
