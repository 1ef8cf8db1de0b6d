import t from 'tap';
import { CsvSyntaxError, formatCsvRecord, parseCsv } from './permission-csv';

void t.test('plain names are written bare, one record per user', async (t) => {
  t.equal(formatCsvRecord(['alice', 'TRAC_ADMIN', 'developers']), 'alice,TRAC_ADMIN,developers');
});

void t.test('commas, quotes and line breaks are quoted as RFC 4180 says', async (t) => {
  t.equal(formatCsvRecord(['Smith, John', 'WIKI_VIEW']), '"Smith, John",WIKI_VIEW');
  t.equal(formatCsvRecord(['say "hi"', 'x']), '"say ""hi""",x');
  t.equal(formatCsvRecord(['two\nlines', 'x']), '"two\nlines",x');
  t.equal(formatCsvRecord(['Zoë Ångström', '開発者']), 'Zoë Ångström,開発者');
});

void t.test('what is written reads back the same', async (t) => {
  const rows = [
    ['Smith, John', 'WIKI_VIEW', 'staff, all'],
    ['say "hi"', '"quoted"'],
    ['two\r\nlines', 'x'],
    ['Zoë', '開発者', ' spaced '],
  ];
  const text = rows.map((row) => `${formatCsvRecord(row)}\n`).join('');
  t.same(parseCsv(text).map((record) => record.fields), rows);
});

void t.test('CRLF, LF and CR line ends, a BOM and blank lines', async (t) => {
  const records = parseCsv('\uFEFFalice,A\r\n\r\nbob,B\ncarol,C\rdave,D');
  t.same(records.map((record) => record.fields), [['alice', 'A'], ['bob', 'B'], ['carol', 'C'], ['dave', 'D']]);
  t.same(records.map((record) => record.line), [1, 3, 4, 5]);
});

void t.test('a record spanning lines reports the line it starts on', async (t) => {
  const records = parseCsv('"a\nb",X\nc,Y\n');
  t.same(records, [{ line: 1, fields: ['a\nb', 'X'] }, { line: 3, fields: ['c', 'Y'] }]);
});

void t.test('empty fields and a quoted empty record are kept', async (t) => {
  t.same(parseCsv('alice,,A,\n""\n').map((record) => record.fields), [['alice', '', 'A', ''], ['']]);
});

void t.test('a quote inside an unquoted field is text, as Python reads it', async (t) => {
  t.same(parseCsv('o"brien,X\n')[0].fields, ['o"brien', 'X']);
});

void t.test('malformed quoting names the line', async (t) => {
  t.throws(() => parseCsv('alice,A\n"bob,B\n'), new CsvSyntaxError(2, 'a quoted field never ends'));
  t.throws(() => parseCsv('alice,A\n"bob"x,B\n'),
    new CsvSyntaxError(2, 'text follows the closing quote of a field'));
});
