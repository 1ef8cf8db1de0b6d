/**
 * The `[trac] database` connection string, in the forms Trac accepts:
 *
 *   sqlite:db/trac.db                                  (relative to the environment folder)
 *   sqlite:/srv/trac/shared.db                         (absolute)
 *   postgres://user:pass@host:5432/dbname?schema=name
 *   postgres://user@/dbname?host=/var/run/postgresql   (Unix socket folder)
 *   mysql://user:pass@host:3306/dbname
 *
 * User, password, database name and parameters are percent-decoded (RFC 3986 section 2.1), so a
 * password holding `:`, `@` or `/` is written `%3a`, `%40`, `%2f`.
 */
import { Errors, GatehouseError } from '../errors';
import type { DatabaseUri } from './types';

/** Schemes Gatehouse knows; `postgresql` is accepted as libpq spells it and read as `postgres`. */
const SCHEME_ALIASES: Record<string, string> = {
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
};

const SCHEME_PATTERN = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Parses a `[trac] database` string.
 *
 * @example parseDatabaseUri('postgres://tracuser:s%40cret@db.example.org/trac?schema=proj1')
 *   // { scheme: 'postgres', user: 'tracuser', password: 's@cret', host: 'db.example.org',
 *   //   path: 'trac', params: { schema: 'proj1' }, ... }
 * @throws GH_ERR_DB_URI naming the string (password hidden) and what is wrong with it.
 */
export function parseDatabaseUri(text: string): DatabaseUri {
  const match = SCHEME_PATTERN.exec(text);
  if (!match) {
    fail(text, 'it does not start with a scheme (sqlite:, postgres:// or mysql://)');
  }
  const scheme = SCHEME_ALIASES[match[1].toLowerCase()];
  if (!scheme) {
    fail(text, `unknown scheme "${match[1]}:" (expected sqlite, postgres or mysql)`);
  }
  const rest = text.slice(match[0].length);
  return scheme === 'sqlite' ? parseSqlite(text, rest) : parseServer(text, scheme, rest);
}

function parseSqlite(text: string, rest: string): DatabaseUri {
  const [pathPart, query] = splitOnce(rest, '?');
  if (pathPart === '') fail(text, 'the SQLite file path is empty (write sqlite:db/trac.db)');
  if (pathPart.startsWith('//')) {
    fail(text, 'an SQLite string takes a file path, not a host: ' +
      'write sqlite:db/trac.db or sqlite:/abs/path.db');
  }
  return { scheme: 'sqlite', path: pathPart, params: parseParams(text, query), text };
}

function parseServer(text: string, scheme: string, rest: string): DatabaseUri {
  if (!rest.startsWith('//')) fail(text, `expected "${scheme}://" followed by the server`);
  const [beforeQuery, query] = splitOnce(rest.slice(2), '?');

  // The user information ends at the last `@` before the query: a raw `@` in a password is a
  // mistake, but reading it this way keeps the password out of the host in error messages.
  const at = beforeQuery.lastIndexOf('@');
  const userInfo = at >= 0 ? beforeQuery.slice(0, at) : undefined;
  const hostAndPath = at >= 0 ? beforeQuery.slice(at + 1) : beforeQuery;
  const slash = hostAndPath.indexOf('/');
  const hostPort = slash >= 0 ? hostAndPath.slice(0, slash) : hostAndPath;
  const databaseName = slash >= 0 ? decode(text, hostAndPath.slice(slash + 1), 'the database name') : '';

  const uri: DatabaseUri = { scheme, path: databaseName, params: parseParams(text, query), text };
  if (userInfo !== undefined) {
    const [user, password] = splitOnce(userInfo, ':');
    if (user !== '') uri.user = decode(text, user, 'the user name');
    if (password !== undefined) uri.password = decode(text, password, 'the password');
  }
  Object.assign(uri, parseHostPort(text, hostPort));
  if (uri.path === '') fail(text, 'no database name after the server (add /dbname)');
  if (uri.path.includes('/')) fail(text, `"${uri.path}" is not a database name (it holds a "/")`);
  return uri;
}

function parseHostPort(text: string, hostPort: string): { host?: string; port?: number } {
  let host = hostPort;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    // An IPv6 literal in brackets (RFC 3986 section 3.2.2).
    const close = hostPort.indexOf(']');
    if (close < 0) fail(text, 'an IPv6 address is missing its closing "]"');
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      fail(text, `unexpected "${after}" after the IPv6 address`);
    }
    if (after !== '') portText = after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) {
      host = hostPort.slice(0, colon);
      portText = hostPort.slice(colon + 1);
    }
  }

  const result: { host?: string; port?: number } = {};
  if (host !== '') result.host = decode(text, host, 'the host name');
  if (portText !== undefined) result.port = parsePort(text, portText);
  return result;
}

function parsePort(text: string, portText: string): number {
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    fail(text, `the port "${portText}" is not a number from 1 to 65535`);
  }
  return port;
}

function parseParams(text: string, query: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  if (query === undefined || query === '') return params;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const [rawName, rawValue] = splitOnce(pair, '=');
    const name = decode(text, rawName, 'a parameter name');
    if (name === '') fail(text, `the parameter "${pair}" has no name`);
    params[name] = rawValue === undefined ? '' : decode(text, rawValue, `the parameter "${name}"`);
  }
  return params;
}

function decode(text: string, encoded: string, what: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return fail(text, `bad percent-encoding in ${what} (write % as %25)`);
  }
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + separator.length)];
}

function fail(text: string, reason: string): never {
  throw new GatehouseError(Errors.DB_URI, { uri: redactUri(text), reason });
}

/**
 * The connection string with its password replaced by `***`, for logs and messages. Works on
 * malformed strings too: everything between the first `:` of the user information and its last
 * `@` is hidden.
 *
 * @example redactUri('mysql://trac:secret@db/trac') // 'mysql://trac:***@db/trac'
 */
export function redactUri(text: string): string {
  const start = text.indexOf('://');
  if (start < 0) return text;
  const authorityStart = start + 3;
  // The last `@` anywhere: an unencoded `?`, `/` or `#` may sit inside the password itself, and
  // hiding too much (an `@` in the query) is better than showing a password.
  const at = text.lastIndexOf('@');
  if (at < authorityStart) return text;
  const colon = text.indexOf(':', authorityStart);
  if (colon < 0 || colon > at) return text;
  return `${text.slice(0, colon + 1)}***${text.slice(at)}`;
}

/** `postgres://host:5432` or `mysql://[::1]:3306`: the server without user, password or database. */
export function serverOf(uri: DatabaseUri): string {
  if (uri.scheme === 'sqlite') return `sqlite:${uri.path}`;
  const host = uri.host === undefined ? uri.params.host ?? 'localhost' : uri.host;
  const shownHost = host.includes(':') && !host.startsWith('/') ? `[${host}]` : host;
  return `${uri.scheme}://${shownHost}${uri.port === undefined ? '' : `:${uri.port}`}`;
}
