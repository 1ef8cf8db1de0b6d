import t from 'tap';
import { basicChallenge, parseBasicAuthorization, quoteHeaderValue } from '../basic-credentials';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

void t.test('well-formed credentials', async (t) => {
  t.same(parseBasicAuthorization(`Basic ${b64('alice:wonderland')}`),
    { kind: 'credentials', user: 'alice', password: 'wonderland' });
  t.same(parseBasicAuthorization(`bAsIc   ${b64('judy:a:b:c')}  `),
    { kind: 'credentials', user: 'judy', password: 'a:b:c' }, 'scheme in any case, split at the first colon');
  t.same(parseBasicAuthorization(`Basic ${b64('heidi:Grüße, 世界')}`),
    { kind: 'credentials', user: 'heidi', password: 'Grüße, 世界' }, 'UTF-8');
  t.same(parseBasicAuthorization(`Basic ${b64('ab:c').replace(/=+$/, '')}`),
    { kind: 'credentials', user: 'ab', password: 'c' }, 'padding may be left out');
  t.same(parseBasicAuthorization(`Basic ${b64(':')}`), { kind: 'credentials', user: '', password: '' },
    'an empty user is for the caller to refuse');
  t.same(parseBasicAuthorization(`Basic ${b64('tab:pass\tword')}`),
    { kind: 'credentials', user: 'tab', password: 'pass\tword' });
});

void t.test('no credentials for this scheme', async (t) => {
  t.same(parseBasicAuthorization(undefined), { kind: 'absent' });
  t.same(parseBasicAuthorization('  '), { kind: 'absent' });
  t.same(parseBasicAuthorization('Bearer abc'), { kind: 'absent', scheme: 'Bearer' });
  t.same(parseBasicAuthorization('Basicx YWJj'), { kind: 'absent', scheme: 'Basicx' });
});

void t.test('malformed headers are 400 or 431, never an exception', async (t) => {
  const cases: Array<[string, number, RegExp]> = [
    ['Basic', 400, /one base64 token/],
    ['Basic a b', 400, /one base64 token/],
    ['Basic !!!', 400, /not valid base64/],
    ['Basic YWxpY2U', 400, /lack the colon/],
    ['Basic YWxpY2U=', 400, /lack the colon/],
    ['Basic YWJjZA===', 400, /not valid base64/],
    ['Basic YWJjZ', 400, /not valid base64/],
    ['Basic YW=Jj', 400, /not valid base64/],
    ['Basic YWJjZA=', 400, /not valid base64/],
    [`Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`, 400, /UTF-8/],
    [`Basic ${b64('al\nice:x')}`, 400, /control character/],
    [`Basic ${b64('alice:x\0y')}`, 400, /NUL/],
    [`Basic ${'A'.repeat(30_000)}`, 431, /too large/],
  ];
  for (const [header, status, reason] of cases) {
    const result = parseBasicAuthorization(header);
    t.equal(result.kind, 'malformed', header.slice(0, 30));
    if (result.kind === 'malformed') {
      t.equal(result.status, status, header.slice(0, 30));
      t.match(result.reason, reason);
    }
  }
});

void t.test('the challenge quotes the realm safely', async (t) => {
  t.equal(basicChallenge('Trac'), 'Basic realm="Trac", charset="UTF-8"');
  t.equal(quoteHeaderValue('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
  t.equal(quoteHeaderValue('two\r\nlines'), '"two  lines"', 'no header injection');
  t.equal(Buffer.from(quoteHeaderValue('Café'), 'latin1').toString('utf8'), '"Café"',
    'non-ASCII leaves as UTF-8 bytes');
});
