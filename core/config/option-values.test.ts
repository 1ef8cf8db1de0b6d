import path from 'node:path';
import t from 'tap';
import { GatehouseError } from '../errors';
import { defineOption } from './options';
import type { OptionSpec } from './options';
import { describeExpected, formatOptionValue, parseOptionValue } from './option-values';

const ENV = '/srv/trac/project';
const origin = { file: '/srv/trac/project/conf/trac.ini', section: 'sec', key: 'opt' };

function parse(spec: OptionSpec, raw: string): unknown {
  return parseOptionValue(spec, raw, origin, ENV);
}

function refusal(spec: OptionSpec, raw: string): GatehouseError {
  try {
    parse(spec, raw);
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

const base = { section: 'sec', name: 'opt', doc: 'An option.' };

void t.test('bool accepts Trac\'s words in any case', async (t) => {
  const spec = defineOption({ ...base, type: 'bool', default: true });
  for (const word of ['true', 'YES', 'On', 'enabled', 'aye', '1', ' true ']) t.equal(parse(spec, word), true, word);
  for (const word of ['false', 'No', 'OFF', 'Disabled', 'nay', '0']) t.equal(parse(spec, word), false, word);
  t.equal(parse(spec, ''), true, 'empty means the default');
  t.equal(parse({ ...spec, default: false }, ''), false);

  const error = refusal(spec, 'maybe');
  t.equal(error.code, 'GH_ERR_CONFIG_VALUE');
  t.equal(error.message, '/srv/trac/project/conf/trac.ini [sec] opt = "maybe": expected a boolean: ' +
    'true, yes, on, enabled or 1; false, no, off, disabled or 0');
  t.same(error.details, {
    file: origin.file, section: 'sec', key: 'opt', value: 'maybe', expected: describeExpected(spec),
  });
  refusal(spec, '2');
});

void t.test('int checks digits and range', async (t) => {
  const plain = defineOption({ ...base, type: 'int', default: 7 });
  t.equal(parse(plain, '42'), 42);
  t.equal(parse(plain, '+5'), 5);
  t.equal(parse(plain, '-3'), -3);
  t.equal(parse(plain, ' 12 '), 12);
  t.equal(parse(plain, ''), 7, 'empty means the default');
  for (const bad of ['1.5', '12abc', '0x10', '1e3', 'ten', '99999999999999999999']) {
    t.equal(refusal(plain, bad).details.expected, 'an integer', bad);
  }

  const ranged = defineOption({ ...base, type: 'int', default: 10, min: 1, max: 100 });
  t.equal(parse(ranged, '1'), 1);
  t.equal(parse(ranged, '100'), 100);
  t.equal(refusal(ranged, '0').message,
    '/srv/trac/project/conf/trac.ini [sec] opt = "0": expected an integer from 1 to 100');
  t.equal(refusal(ranged, '101').details.value, '101');
  t.equal(refusal({ ...plain, min: 0 }, '-1').details.expected, 'an integer of at least 0');
  t.equal(refusal({ ...plain, max: 5 }, '6').details.expected, 'an integer of at most 5');
});

void t.test('float accepts decimals and exponents within range', async (t) => {
  const spec = defineOption({ ...base, type: 'float', default: 0.5, min: 0, max: 10 });
  t.equal(parse(spec, '1.5'), 1.5);
  t.equal(parse(spec, '.25'), 0.25);
  t.equal(parse(spec, '3.'), 3);
  t.equal(parse(spec, '1e1'), 10);
  t.equal(parse(spec, ''), 0.5);
  for (const bad of ['NaN', 'Infinity', '1,5', 'abc', '11', '-0.1']) {
    t.equal(refusal(spec, bad).details.expected, 'a number from 0 to 10', bad);
  }
});

void t.test('list splits on the separator, trims and drops empty items', async (t) => {
  const spec = defineOption({ ...base, type: 'list', default: ['x'] });
  t.same(parse(spec, 'a, b,,c ,'), ['a', 'b', 'c']);
  t.same(parse(spec, 'HtPasswdStore'), ['HtPasswdStore']);
  t.same(parse(spec, ''), [], 'an empty value is an empty list, not the default');
  t.same(parse(spec, 'one\ntwo, three'), ['one\ntwo', 'three']);
  const piped = defineOption({ ...base, type: 'list', default: [], separator: '|' });
  t.same(parse(piped, 'a,b | c |'), ['a,b', 'c']);
});

void t.test('path resolves relative values against the folder of the file setting them, as Trac', async (t) => {
  const spec = defineOption({ ...base, type: 'path', default: 'htdocs' });
  t.equal(parse(spec, 'htpasswd'), path.join(ENV, 'conf', 'htpasswd'));
  t.equal(parse(spec, '../../shared/htpasswd'), '/srv/trac/shared/htpasswd');
  t.equal(parseOptionValue(spec, 'users', { ...origin, file: '/etc/trac/site.ini' }, ENV), '/etc/trac/users',
    'a value from an inherited file resolves against that file\'s folder');
  t.equal(parse(spec, '/etc/apache2/htpasswd'), '/etc/apache2/htpasswd');
  t.equal(parse(spec, ''), '', 'empty stays empty (unset)');
});

void t.test('choice matches case-insensitively and returns the declared spelling', async (t) => {
  const spec = defineOption({ ...base, type: 'choice', default: 'Basic', choices: ['Basic', 'Digest', 'form'] });
  t.equal(parse(spec, 'Digest'), 'Digest');
  t.equal(parse(spec, 'digest'), 'Digest');
  t.equal(parse(spec, 'FORM'), 'form');
  t.equal(parse(spec, ''), 'Basic', 'empty means the default');
  t.equal(refusal(spec, 'ntlm').message,
    '/srv/trac/project/conf/trac.ini [sec] opt = "ntlm": expected one of: Basic, Digest, form');
  const withEmpty = defineOption({ ...base, type: 'choice', default: 'a', choices: ['', 'a'] });
  t.equal(parse(withEmpty, ''), '', 'an empty choice, when declared, is a value of its own');
});

void t.test('text is taken as written, trimmed', async (t) => {
  const spec = defineOption({ ...base, type: 'text', default: 'd' });
  t.equal(parse(spec, '  a ; b # c  '), 'a ; b # c');
  t.equal(parse(spec, ''), '');
});

void t.test('the option line number rides along in the details', async (t) => {
  const spec = defineOption({ ...base, type: 'int', default: 1 });
  try {
    parseOptionValue(spec, 'x', { ...origin, line: 12 }, ENV);
    t.fail('expected a refusal');
  } catch (error) {
    t.equal((error as GatehouseError).details.line, 12);
  }
});

void t.test('values format back to trac.ini text', async (t) => {
  const list = defineOption({ ...base, type: 'list', default: [] });
  t.equal(formatOptionValue(list, ['a', 'b']), 'a, b');
  t.equal(formatOptionValue({ ...list, separator: '|' }, ['a', 'b']), 'a|b');
  t.equal(formatOptionValue(list, []), '');
  const bool = defineOption({ ...base, type: 'bool', default: true });
  t.equal(formatOptionValue(bool, true), 'enabled');
  t.equal(formatOptionValue(bool, false), 'disabled');
  t.equal(formatOptionValue(list, 3.5), '3.5');
  t.equal(describeExpected({ ...list, separator: '|' }), 'a list separated by "|"');
});
