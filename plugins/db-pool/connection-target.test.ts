import t from 'tap';
import { parseDatabaseUri } from '../../core/db/uri';
import { connectionTarget } from './connection-target';

const target = (text: string) => connectionTarget(parseDatabaseUri(text));

function errorOf(text: string): { code?: string; message: string } {
  try {
    target(text);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error(`expected ${text} to be refused`);
}

void t.test('PostgreSQL with host, port, schema and an encoded password', async (t) => {
  const parsed = target('postgres://john:%3a%40%2f@db.example.org:6543/trac?schema=proj1');
  t.match(parsed, {
    kind: 'postgres', host: 'db.example.org', port: 6543, user: 'john', password: ':@/', database: 'trac',
    schema: 'proj1', socket: undefined, serverKey: 'postgres://db.example.org:6543',
    label: 'postgres://db.example.org:6543/trac',
  });
  t.notMatch(parsed.poolKey, /:@\//, 'the pool key does not hold the password');
});

void t.test('sockets: ?host=/dir for PostgreSQL, ?unix_socket= for MySQL', async (t) => {
  const postgres = target('postgres://trac@/trac?host=/var/run/postgresql');
  t.equal(postgres.socket, '/var/run/postgresql');
  t.equal(postgres.host, undefined);
  t.equal(postgres.serverKey, 'postgres:///var/run/postgresql:5432');
  const mysql = target('mysql://trac@localhost/trac?unix_socket=/run/mysqld/mysqld.sock');
  t.equal(mysql.socket, '/run/mysqld/mysqld.sock');
  t.equal(mysql.port, 3306);
});

void t.test('defaults: localhost and the standard ports', async (t) => {
  t.match(target('postgres://u@/db'), { host: 'localhost', port: 5432 });
  t.match(target('mysql://u@/db'), { host: 'localhost', port: 3306 });
});

void t.test('one server key for every database, user and schema on a server', async (t) => {
  const a = target('postgres://a@127.0.0.1:5432/one?schema=x');
  const b = target('postgres://b:pw@127.0.0.1:5432/two?schema=y');
  const c = target('postgres://a@127.0.0.1:5432/one?schema=z');
  t.equal(a.serverKey, b.serverKey);
  t.not(a.poolKey, b.poolKey, 'different users and databases do not share connections');
  t.equal(a.poolKey, c.poolKey, 'schemas of one database share connections');
  t.not(target('postgres://a:one@h/db').poolKey, target('postgres://a:two@h/db').poolKey,
    'a different password is a different pool');
});

void t.test('refused: unknown parameters, schema on MySQL, bad sslmode, other schemes', async (t) => {
  t.match(errorOf('postgres://u@h/db?sslcert=x'), { code: 'GH_ERR_DB_URI', message: /unknown parameter sslcert/ });
  t.match(errorOf('mysql://u@h/db?schema=p'), { code: 'GH_ERR_DB_URI', message: /give each environment its own database/ });
  t.match(errorOf('postgres://u@h/db?sslmode=sometimes'), { code: 'GH_ERR_DB_URI', message: /sslmode/ });
  t.match(errorOf('sqlite:db/trac.db'), { code: 'GH_ERR_DB_URI' });
  t.match(errorOf('postgres://u:secret@h/db?schema='), { code: 'GH_ERR_DB_URI', message: /schema= is empty/ });
  t.notMatch(errorOf('postgres://u:secret@h/db?nope=1').message, /secret/, 'the password is not shown');
});

void t.test('sslmode', async (t) => {
  t.same(target('postgres://u@h/db?sslmode=require').ssl, { rejectUnauthorized: false });
  t.same(target('postgres://u@h/db?sslmode=verify-full').ssl, { rejectUnauthorized: true });
  t.equal(target('postgres://u@h/db?sslmode=disable').ssl, undefined);
});
