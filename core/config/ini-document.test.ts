import t from 'tap';
import { GatehouseError } from '../errors';
import { IniDocument } from './ini-document';

/** A trac.ini the way people and Trac write them: comments between keys, continuations, URLs. */
const TRAC_STYLE = [
  '# -*- coding: utf-8 -*-',
  '',
  '[attachment]',
  'max_size = 262144',
  'render_unsafe_content = disabled',
  '',
  '[components]',
  '; the account manager replaces the HTTP login',
  'acct_mgr.* = enabled',
  'acct_mgr.web_ui.LoginModule = enabled',
  'trac.web.auth.LoginModule = disabled',
  '',
  '[header_logo]',
  'link = https://example.org/wiki?a=1;b=2#top',
  'src = site/logo.png',
  '',
  '[notification]',
  'smtp_password = p;a#ss word ; still the password',
  '# a comment between keys',
  'smtp_from = trac@example.org',
  '',
  '[ticket-custom]',
  'description = first line',
  '    second line',
  '\tthird line after a tab',
  '',
  '    after a blank line',
  '    # an indented comment is a comment',
  '    last line',
  'other: colon style',
  'spaced=tight',
  '',
].join('\n');

function parse(text: string, file = '/srv/env/conf/trac.ini'): IniDocument {
  return IniDocument.parse(text, file);
}

function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}

function syntaxErrorOf(text: string): GatehouseError {
  try {
    parse(text, '/srv/env/conf/trac.ini');
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

void t.test('round trip: unchanged documents reproduce their input byte for byte', async (t) => {
  const samples: Record<string, string> = {
    'trac style': TRAC_STYLE,
    'CRLF line endings': TRAC_STYLE.replace(/\n/g, '\r\n'),
    'byte-order mark': `\uFEFF${TRAC_STYLE}`,
    'no final newline': TRAC_STYLE.trimEnd(),
    'mixed endings and a lone CR': '[a]\r\nx = 1\ny = 2\r\rz = 3',
    'trailing spaces and tabs': '[a]  \nx = 1   \n\t\n   \n',
    'empty file': '',
    'only comments': '# nothing here yet\n; really\n',
    'blank lines only': '\n\n\n',
  };
  for (const [name, text] of Object.entries(samples)) {
    t.equal(parse(text).toString(), text, name);
  }
});

void t.test('reading values the way Trac does', async (t) => {
  const doc = parse(TRAC_STYLE);
  t.equal(doc.get('attachment', 'max_size'), '262144');
  t.equal(doc.get('header_logo', 'link'), 'https://example.org/wiki?a=1;b=2#top',
    'a ; or # inside a value is part of the value');
  t.equal(doc.get('notification', 'smtp_password'), 'p;a#ss word ; still the password');
  t.equal(doc.get('notification', 'smtp_from'), 'trac@example.org', 'a comment between keys is skipped');
  t.equal(doc.get('components', 'acct_mgr.web_ui.loginmodule'), 'enabled', 'option names are case-insensitive');
  t.equal(doc.get('components', 'ACCT_MGR.WEB_UI.LOGINMODULE'), 'enabled');
  t.equal(doc.get('Components', 'acct_mgr.*'), undefined, 'section names are case-sensitive');
  t.equal(doc.get('ticket-custom', 'description'),
    'first line\nsecond line\nthird line after a tab\n\nafter a blank line\nlast line',
    'continuations join with newlines; blank lines inside stay, indented comments do not');
  t.equal(doc.get('ticket-custom', 'other'), 'colon style', 'key: value works');
  t.equal(doc.get('ticket-custom', 'spaced'), 'tight');
  t.equal(doc.get('attachment', 'missing'), undefined);
  t.same(doc.sections(), ['attachment', 'components', 'header_logo', 'notification', 'ticket-custom']);
  t.same(doc.entries('components').map(([key]) => key),
    ['acct_mgr.*', 'acct_mgr.web_ui.loginmodule', 'trac.web.auth.loginmodule'],
    'entries in file order, names lower-cased as Trac reads them');
  t.equal(doc.lineOf('notification', 'smtp_from'), 20);
});

void t.test('values are trimmed; empty values and trailing blank lines', async (t) => {
  const doc = parse('[a]\nx =    padded value   \nempty =\nalso_empty:   \nlast = v\n\n\n[b]\n');
  t.equal(doc.get('a', 'x'), 'padded value');
  t.equal(doc.get('a', 'empty'), '');
  t.equal(doc.get('a', 'also_empty'), '');
  t.equal(doc.get('a', 'last'), 'v', 'blank lines after a value do not become part of it');
});

void t.test('a key set twice and a section written twice merge; the last value wins', async (t) => {
  const doc = parse('[a]\nx = 1\ny = 2\n[b]\nz = 3\n[a]\nx = 9\nw = 4\n');
  t.equal(doc.get('a', 'x'), '9');
  t.same(doc.entries('a'), [['x', '9'], ['y', '2'], ['w', '4']]);
  t.same(doc.sections(), ['a', 'b']);
});

void t.test('indented options are options, not continuations, at the same depth', async (t) => {
  const doc = parse('[trac]\n  database = sqlite:db/trac.db\n  base_url = https://x.example/\n    /more\n');
  t.equal(doc.get('trac', 'database'), 'sqlite:db/trac.db');
  t.equal(doc.get('trac', 'base_url'), 'https://x.example/\n/more');
});

void t.test('section headers may carry a trailing comment', async (t) => {
  const doc = parse('[a] ; the a section\nx = 1\n[b]   # and b\ny = 2\n');
  t.same(doc.sections(), ['a', 'b']);
});

void t.test('broken lines are GH_ERR_CONFIG_SYNTAX naming file and line', async (t) => {
  const cases: Array<[string, number, RegExp]> = [
    ['x = 1\n[a]\n', 1, /before the first \[section\]/],
    ['# fine\n\n[a]\nx = 1\njust some words\n', 5, /expected "key = value"/],
    ['[a]\nx = 1\n[unclosed\n', 3, /malformed section header/],
    ['[a]\n[]\n', 2, /empty section name/],
    ['[a]\n = value\n', 2, /missing option name/],
    ['[a]\r\nx = 1\r\n[b] junk\r\n', 3, /malformed section header/],
    ['\uFEFF[a]\nok = 1\nnope\n', 3, /expected "key = value"/],
  ];
  for (const [text, line, problem] of cases) {
    const error = syntaxErrorOf(text);
    t.equal(error.code, 'GH_ERR_CONFIG_SYNTAX');
    t.equal(error.details.line, line, `line ${line} of ${JSON.stringify(text)}`);
    t.match(error.message, `/srv/env/conf/trac.ini line ${line}: `);
    t.match(error.message, problem);
  }
});

void t.test('set rewrites one line in place and keeps everything else', async (t) => {
  const doc = parse(TRAC_STYLE);
  doc.set('attachment', 'max_size', '1048576');
  t.same(changedLines(TRAC_STYLE, doc.toString()),
    { removed: ['max_size = 262144'], added: ['max_size = 1048576'] });

  const tight = parse(TRAC_STYLE);
  tight.set('ticket-custom', 'spaced', 'loose');
  tight.set('ticket-custom', 'OTHER', 'still colon');
  t.same(changedLines(TRAC_STYLE, tight.toString()), {
    removed: ['other: colon style', 'spaced=tight'],
    added: ['other: still colon', 'spaced=loose'],
  }, 'spacing, delimiter and the key as spelled on disk are kept');

  const mixed = parse(TRAC_STYLE);
  mixed.set('components', 'acct_mgr.web_ui.loginmodule', 'disabled');
  t.match(mixed.toString(), /\nacct_mgr\.web_ui\.LoginModule = disabled\n/);
});

void t.test('set on an indented option keeps its indentation', async (t) => {
  const text = '[trac]\n  database = sqlite:db/trac.db\n  base_url = x\n';
  const doc = parse(text);
  doc.set('trac', 'base_url', 'https://example.org/');
  doc.set('trac', 'new_key', 'v');
  t.equal(doc.toString(), '[trac]\n  database = sqlite:db/trac.db\n  base_url = https://example.org/\n  new_key = v\n');
});

void t.test('set replaces a multi-line value and writes continuation lines', async (t) => {
  const doc = parse(TRAC_STYLE);
  doc.set('ticket-custom', 'description', 'one line now');
  t.same(changedLines(TRAC_STYLE, doc.toString()), {
    removed: [
      'description = first line', '    second line', '\tthird line after a tab', '',
      '    after a blank line', '    # an indented comment is a comment', '    last line',
    ],
    added: ['description = one line now', '', '    # an indented comment is a comment'],
  }, 'continuations go; the comment and blank line between them stay');
  t.equal(parse(doc.toString()).get('ticket-custom', 'description'), 'one line now');
  t.equal(parse(doc.toString()).get('ticket-custom', 'other'), 'colon style');

  const multi = parse('[a]\nx = 1\ny = 2\n');
  multi.set('a', 'x', '  first\n  second  \n\nfourth\n');
  t.equal(multi.toString(), '[a]\nx = first\n    second\n\n    fourth\ny = 2\n');
  t.equal(parse(multi.toString()).get('a', 'x'), 'first\nsecond\n\nfourth', 'the value reads back as set');
});

void t.test('set adds a key after the last option of its section, before trailing blanks and comments', async (t) => {
  const doc = parse(TRAC_STYLE);
  doc.set('ticket-custom', 'added', 'yes');
  doc.set('attachment', 'new_key', 'value with ; and #');
  const after = doc.toString();
  t.match(after, 'render_unsafe_content = disabled\nnew_key = value with ; and #\n\n[components]');
  t.match(after, 'spaced=tight\nadded=yes\n', 'the section\'s own "=" spacing is used');
  t.equal(parse(after).get('attachment', 'new_key'), 'value with ; and #');

  const withComment = parse('[a]\nx = 1\n    more\n# about section b\n\n[b]\n');
  withComment.set('a', 'y', '2');
  t.equal(withComment.toString(), '[a]\nx = 1\n    more\ny = 2\n# about section b\n\n[b]\n');
});

void t.test('set creates a missing section at the end', async (t) => {
  const doc = parse('[a]\nx = 1\n');
  doc.set('account-manager', 'password_store', 'HtPasswdStore');
  t.equal(doc.toString(), '[a]\nx = 1\n\n[account-manager]\npassword_store = HtPasswdStore\n');

  const empty = parse('');
  empty.set('trac', 'database', 'sqlite:db/trac.db');
  t.equal(empty.toString(), '[trac]\ndatabase = sqlite:db/trac.db\n');

  const blankEnded = parse('[a]\nx = 1\n\n');
  blankEnded.set('b', 'y', '2');
  t.equal(blankEnded.toString(), '[a]\nx = 1\n\n[b]\ny = 2\n');
});

void t.test('set keeps CRLF, a missing final newline and the byte-order mark', async (t) => {
  const crlf = parse('\uFEFF[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2');
  crlf.set('a', 'z', 'new\nlines');
  crlf.set('b', 'y', '3');
  crlf.set('c', 'k', 'v');
  t.equal(crlf.toString(), '\uFEFF[a]\r\nx = 1\r\nz = new\r\n    lines\r\n\r\n[b]\r\ny = 3\r\n\r\n[c]\r\nk = v');

  const noFinal = parse('[a]\nx = 1');
  noFinal.set('a', 'x', 'one\ntwo');
  t.equal(noFinal.toString(), '[a]\nx = one\n    two');
});

void t.test('set of an empty value writes a clean "key =" line', async (t) => {
  const doc = parse('[a]\nx = 1\ny=2\n');
  doc.set('a', 'x', '');
  doc.set('a', 'y', '   ');
  doc.set('a', 'z', '');
  t.equal(doc.toString(), '[a]\nx =\ny=\nz=\n');
  t.same(parse(doc.toString()).entries('a'), [['x', ''], ['y', ''], ['z', '']]);
});

void t.test('set writes new keys lower-cased and edits the last of duplicate keys', async (t) => {
  const doc = parse('[components]\nFoo.Bar = enabled\n[components]\nfoo.bar = disabled\n');
  doc.set('components', 'FOO.BAR', 'enabled');
  doc.set('components', 'New.Component', 'enabled');
  t.equal(doc.toString(),
    '[components]\nFoo.Bar = enabled\n[components]\nfoo.bar = enabled\nnew.component = enabled\n');
});

void t.test('set refuses names and values trac.ini could not hold', async (t) => {
  const doc = parse('[a]\nx = 1\n');
  const refused = (section: string, key: string, value: string, reason: RegExp) => {
    t.throws(() => doc.set(section, key, value), { code: 'GH_ERR_CONFIG_EDIT', message: reason });
  };
  refused('a', 'k=v', '1', /option name/);
  refused('a', 'k:v', '1', /option name/);
  refused('a', '', '1', /option name/);
  refused('a', '#k', '1', /option name/);
  refused('a', '[k]', '1', /option name/);
  refused('a]', 'k', '1', /section name/);
  refused('', 'k', '1', /section name/);
  refused('a', 'k', 'first\n# second', /line 2 of the value starts with "#"/);
  refused('a', 'k', 'first\n;second', /starts with ";"/);
  t.equal(doc.toString(), '[a]\nx = 1\n', 'nothing changed');
  doc.set('a', 'k', '#first line may start with a hash');
  t.equal(parse(doc.toString()).get('a', 'k'), '#first line may start with a hash');
});

void t.test('remove deletes the key and its continuations and nothing else', async (t) => {
  const doc = parse(TRAC_STYLE);
  t.equal(doc.remove('ticket-custom', 'DESCRIPTION'), true);
  t.same(changedLines(TRAC_STYLE, doc.toString()), {
    removed: [
      'description = first line', '    second line', '\tthird line after a tab', '',
      '    after a blank line', '    # an indented comment is a comment', '    last line',
    ],
    added: ['', '    # an indented comment is a comment'],
  });
  t.equal(doc.get('ticket-custom', 'description'), undefined);
  t.equal(doc.remove('ticket-custom', 'description'), false, 'a second remove finds nothing');
  t.equal(doc.remove('nowhere', 'x'), false);

  const dup = parse('[a]\nx = 1\n[b]\nx = 2\n[a]\nx = 3\ny = 4');
  t.equal(dup.remove('a', 'x'), true);
  t.equal(dup.toString(), '[a]\n[b]\nx = 2\n[a]\ny = 4', 'every occurrence goes; no final newline stays so');

  const last = parse('[a]\nx = 1\ny = 2');
  last.remove('a', 'y');
  t.equal(last.toString(), '[a]\nx = 1');
});

void t.test('a document survives many edits and still parses to what was set', async (t) => {
  const doc = parse(TRAC_STYLE.replace(/\n/g, '\r\n'));
  const expected = new Map<string, string>();
  for (let round = 0; round < 20; round += 1) {
    const key = `key${round % 7}`;
    const value = round % 3 === 0 ? `line ${round}\nnext ${round}` : `v${round};#`;
    doc.set(`s${round % 4}`, key, value);
    expected.set(`s${round % 4}/${key}`, value);
    if (round % 5 === 4) {
      doc.remove(`s${round % 4}`, key);
      expected.delete(`s${round % 4}/${key}`);
    }
  }
  const reread = parse(doc.toString());
  for (const [place, value] of expected) {
    const [section, key] = place.split('/');
    t.equal(reread.get(section, key), value, place);
  }
  t.notMatch(doc.toString(), /[^\r]\n/, 'every line ending stayed CRLF');
  t.equal(reread.get('header_logo', 'link'), 'https://example.org/wiki?a=1;b=2#top');
});
