import t from 'tap';
import { GatehouseError } from '../errors';
import { parseDatabaseUri, redactUri, serverOf } from './uri';

void t.test('accepts the connection strings Trac accepts', async (t) => {
  const valid: Array<[string, Record<string, unknown>]> = [
    ['sqlite:db/trac.db', { scheme: 'sqlite', path: 'db/trac.db', params: {} }],
    ['sqlite:/srv/trac/shared.db', { scheme: 'sqlite', path: '/srv/trac/shared.db', params: {} }],
    ['sqlite::memory:', { scheme: 'sqlite', path: ':memory:', params: {} }],
    ['postgres://tracuser:secret@db.example.org:5433/trac?schema=proj1', {
      scheme: 'postgres', user: 'tracuser', password: 'secret', host: 'db.example.org', port: 5433,
      path: 'trac', params: { schema: 'proj1' },
    }],
    ['postgres://tracuser@/trac?host=/var/run/postgresql', {
      scheme: 'postgres', user: 'tracuser', path: 'trac', params: { host: '/var/run/postgresql' },
    }],
    ['postgresql://localhost/trac', { scheme: 'postgres', host: 'localhost', path: 'trac', params: {} }],
    ['mysql://trac:pw@127.0.0.1:3306/trac', {
      scheme: 'mysql', user: 'trac', password: 'pw', host: '127.0.0.1', port: 3306, path: 'trac', params: {},
    }],
    ['mysql://john:%3a%40%2f@localhost/trac', {
      scheme: 'mysql', user: 'john', password: ':@/', host: 'localhost', path: 'trac', params: {},
    }],
    ['postgres://[::1]:5432/trac', { scheme: 'postgres', host: '::1', port: 5432, path: 'trac', params: {} }],
    ['postgres://u:@h/d', { scheme: 'postgres', user: 'u', password: '', host: 'h', path: 'd', params: {} }],
    ['postgres://h:65535/d', { scheme: 'postgres', host: 'h', port: 65535, path: 'd', params: {} }],
    ['postgres://h/d?schema=a%20b&sslmode=require', {
      scheme: 'postgres', host: 'h', path: 'd', params: { schema: 'a b', sslmode: 'require' },
    }],
  ];
  for (const [text, expected] of valid) {
    const parsed = parseDatabaseUri(text);
    t.same(parsed, { ...expected, text }, text);
  }
});

void t.test('rejects malformed strings with GH_ERR_DB_URI, the reason, and no password', async (t) => {
  const malformed: Array<[string, RegExp]> = [
    ['postgres://localhost:42:42', /port "42:42" is not a number from 1 to 65535/],
    ['sqlite:', /SQLite file path is empty/],
    ['sqlitedb/trac.db', /does not start with a scheme/],
    ['oracle://scott:tiger@db/orcl', /unknown scheme "oracle:"/],
    ['mysql://john:%zz@localhost/trac', /bad percent-encoding in the password/],
    ['mysql://john%e0:pw@localhost/trac', /bad percent-encoding in the user name/],
    ['postgres://h:0/d', /port "0"/],
    ['postgres://h:65536/d', /port "65536"/],
    ['postgres://h:-1/d', /port "-1"/],
    ['postgres://h:/d', /port ""/],
    ['postgres://localhost', /no database name/],
    ['postgres://localhost/', /no database name/],
    ['mysql:localhost/trac', /expected "mysql:\/\/"/],
    ['postgres://h/a/b', /not a database name/],
    ['postgres://[::1/d', /closing "\]"/],
    ['sqlite://db/trac.db', /takes a file path, not a host/],
    ['postgres://h/d?=x', /has no name/],
  ];
  for (const [text, reason] of malformed) {
    let caught: unknown;
    try {
      parseDatabaseUri(text);
    } catch (error) {
      caught = error;
    }
    t.type(caught, GatehouseError, text);
    const error = caught as GatehouseError;
    t.equal(error.code, 'GH_ERR_DB_URI', text);
    t.match(error.message, reason, text);
    t.ok(error.message.includes(`"${redactUri(text)}"`), `${text}: names the string`);
  }

  const secret = (() => {
    try {
      parseDatabaseUri('postgres://admin:hunter2@localhost:99999/trac');
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  })();
  t.match(secret, /postgres:\/\/admin:\*\*\*@localhost:99999\/trac/);
  t.notMatch(secret, /hunter2/, 'the password never appears in the message');
});

void t.test('redactUri hides the password, also in malformed strings', async (t) => {
  t.equal(redactUri('mysql://trac:secret@db/trac'), 'mysql://trac:***@db/trac');
  t.equal(redactUri('postgres://u:p@ss/w@rd@host:5/db?schema=x'), 'postgres://u:***@host:5/db?schema=x');
  t.equal(redactUri('postgres://gh:Sup3r?Secret@127.0.0.1:1/x'), 'postgres://gh:***@127.0.0.1:1/x',
    'a ? inside the password is still hidden');
  t.equal(redactUri('postgres://gh:a/b#c@h/x'), 'postgres://gh:***@h/x', 'so are / and #');
  t.equal(redactUri('postgres://u@host/db'), 'postgres://u@host/db', 'no password, nothing hidden');
  t.equal(redactUri('postgres://host/db?host=/tmp&a=b@c'), 'postgres://host/db?host=/tmp&a=b@c');
  t.equal(redactUri('sqlite:db/trac.db'), 'sqlite:db/trac.db');
  t.equal(redactUri('postgres://localhost:42:42'), 'postgres://localhost:42:42');
});

void t.test('serverOf names the server without credentials', async (t) => {
  t.equal(serverOf(parseDatabaseUri('postgres://u:p@db:5432/trac')), 'postgres://db:5432');
  t.equal(serverOf(parseDatabaseUri('mysql://u:p@[::1]/trac')), 'mysql://[::1]');
  t.equal(serverOf(parseDatabaseUri('postgres://u@/trac?host=/run/pg')), 'postgres:///run/pg');
});
