import t from 'tap';
import { PlaceholderCache, toNumberedPlaceholders } from './placeholders';

void t.test('placeholders are numbered in order', async (t) => {
  t.same(toNumberedPlaceholders('SELECT * FROM permission WHERE username = ? AND action = ?'),
    { text: 'SELECT * FROM permission WHERE username = $1 AND action = $2', placeholders: 2 });
  t.same(toNumberedPlaceholders('SELECT 1'), { text: 'SELECT 1', placeholders: 0 });
  t.same(toNumberedPlaceholders('VALUES (?,?,?)'), { text: 'VALUES ($1,$2,$3)', placeholders: 3 });
});

void t.test('a ? that is not a placeholder stays', async (t) => {
  const cases: Array<[string, string]> = [
    ["SELECT '?' , ?", "SELECT '?' , $1"],
    ["SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"],
    ['SELECT "odd?name" FROM t WHERE x = ?', 'SELECT "odd?name" FROM t WHERE x = $1'],
    ['SELECT "a""?" , ?', 'SELECT "a""?" , $1'],
    ['SELECT 1 -- why?\n, ?', 'SELECT 1 -- why?\n, $1'],
    ['SELECT /* a ? /* nested ? */ still ? */ ?', 'SELECT /* a ? /* nested ? */ still ? */ $1'],
    ["SELECT E'\\'?' , ?", "SELECT E'\\'?' , $1"],
    ["SELECT e'\\\\' , ?", "SELECT e'\\\\' , $1"],
    ['SELECT $$ ? $$, ?', 'SELECT $$ ? $$, $1'],
    ['SELECT $body$ it is ? $body$, ?', 'SELECT $body$ it is ? $body$, $1'],
  ];
  for (const [input, expected] of cases) t.equal(toNumberedPlaceholders(input).text, expected, input);
});

void t.test('a plain string is not an escape string because an identifier ends in E', async (t) => {
  // `name'...'` is not valid SQL, but the scanner must not read `e'` as E'..' inside a word.
  t.equal(toNumberedPlaceholders("SELECT type'\\' , ?").text, "SELECT type'\\' , $1");
});

void t.test('an unterminated literal swallows the rest (the server reports the error)', async (t) => {
  t.same(toNumberedPlaceholders("SELECT 'open ?"), { text: "SELECT 'open ?", placeholders: 0 });
});

void t.test('the cache returns the same translation and stays bounded', async (t) => {
  const cache = new PlaceholderCache(2);
  const first = cache.translate('SELECT ?');
  t.equal(cache.translate('SELECT ?'), first);
  cache.translate('SELECT ?, ?');
  cache.translate('SELECT ?, ?, ?');
  t.same(cache.translate('SELECT ?'), first, 'an evicted entry is translated again, the same');
});
