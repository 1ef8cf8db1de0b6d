import t from 'tap';
import { parseHtpasswd } from '../htpasswd-parser';

void t.test('reads lines as Apache does', async (t) => {
  const text = [
    '# a comment',
    '',
    '   # an indented comment',
    'alice:$apr1$bA/d.jiS$DObwA1OHmb3Pova8uRxfU0\r',
    '  bob:{SHA}tvRYxZ90euHhTV+mXlnRmD73S7c=   ',
    'carol:eacLqnioFQfRg:a third field is a comment',
    'alice:$2y$05$second.entry.is.ignored',
    'no colon here',
    ':emptyuser',
    'dave:',
    'erin:$y$j9T$yescrypt$hash',
    'frank:$5$rounds=01000$salt$x',
    '\t',
  ].join('\n');
  const parsed = parseHtpasswd(text);

  t.same([...parsed.entries.keys()], ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  t.equal(parsed.entries.get('alice')?.hash, '$apr1$bA/d.jiS$DObwA1OHmb3Pova8uRxfU0', 'CRLF tolerated');
  t.equal(parsed.entries.get('alice')?.line, 4, 'the first entry wins');
  t.equal(parsed.entries.get('bob')?.format, 'sha1', 'white space around a line ignored');
  t.equal(parsed.entries.get('carol')?.hash, 'eacLqnioFQfRg', 'the hash ends at the next colon');
  t.equal(parsed.entries.get('carol')?.format, 'des-crypt');

  const byLine = new Map(parsed.problems.map((p) => [p.line, p.problem]));
  t.match(byLine.get(7), /second entry for user alice ignored \(line 4 counts\)/);
  t.match(byLine.get(8), /no colon/);
  t.match(byLine.get(9), /empty user name/);
  t.match(byLine.get(10), /empty password hash/);
  t.match(byLine.get(11), /not supported/);
  t.match(byLine.get(12), /malformed sha256-crypt hash/);
  t.equal(parsed.problems.length, 6, 'comments, blank and white-space lines are no problem');
});

void t.test('user names are taken byte for byte, case and all', async (t) => {
  const parsed = parseHtpasswd('Alice:x\nalice:y\nGrüße:z\n');
  t.same([...parsed.entries.keys()], ['Alice', 'alice', 'Grüße']);
  t.equal(parsed.entries.get('alice')?.format, 'plaintext');
});

void t.test('an empty file has no users and no problems', async (t) => {
  t.same(parseHtpasswd(''), { entries: new Map(), problems: [] });
});
