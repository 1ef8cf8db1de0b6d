/**
 * Turns a parsed `[trac] database` URI into what a driver connects to, and names the server (for
 * the shared budget) and the connection identity (for the pool that connections are reused in).
 */
import { createHash } from 'node:crypto';
import type { DatabaseUri } from '../../core/db/types';
import { Errors, GatehouseError } from '../../core/errors';

export type ServerKind = 'postgres' | 'mysql';

export interface ConnectionTarget {
  kind: ServerKind;
  host?: string;
  port: number;
  /** A Unix socket: PostgreSQL takes the directory, MySQL the socket file. */
  socket?: string;
  user?: string;
  password?: string;
  database: string;
  /** PostgreSQL schema (`?schema=`): set as search_path on every connection this env uses. */
  schema?: string;
  ssl?: { rejectUnauthorized: boolean };
  applicationName: string;
  /** `postgres://127.0.0.1:5432`: one connection budget per server. */
  serverKey: string;
  /** Server, user, password, database and connection options: connections that are alike. */
  poolKey: string;
  /** `postgres://127.0.0.1:5432/trac` without credentials, for messages and status. */
  label: string;
}

const defaultPorts: Record<ServerKind, number> = { postgres: 5432, mysql: 3306 };

const acceptedParameters: Record<ServerKind, readonly string[]> = {
  postgres: ['schema', 'host', 'sslmode', 'application_name'],
  mysql: ['host', 'unix_socket', 'sslmode'],
};

function uriError(uri: DatabaseUri, reason: string): GatehouseError {
  return new GatehouseError(Errors.DB_URI, { uri: redactedText(uri), reason });
}

/** The URI text with any password replaced, for messages. */
export function redactedText(uri: DatabaseUri): string {
  return uri.text.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

function sslFor(uri: DatabaseUri, mode: string | undefined): ConnectionTarget['ssl'] {
  switch (mode) {
    case undefined:
    case 'disable':
      return undefined;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      throw uriError(uri, `sslmode must be disable, require, verify-ca or verify-full, not "${mode}"`);
  }
}

export function connectionTarget(uri: DatabaseUri): ConnectionTarget {
  const kind = uri.scheme === 'postgresql' ? 'postgres' : uri.scheme;
  if (kind !== 'postgres' && kind !== 'mysql') {
    throw uriError(uri, `the db-pool plugin serves postgres: and mysql:, not ${uri.scheme}:`);
  }

  if (kind === 'mysql' && uri.params.schema !== undefined) {
    throw uriError(uri, 'schema= is a PostgreSQL parameter; in MySQL a schema is a database, ' +
      'so give each environment its own database');
  }
  const unknown = Object.keys(uri.params).filter((name) => !acceptedParameters[kind].includes(name));
  if (unknown.length > 0) {
    throw uriError(uri, `unknown parameter ${unknown.join(', ')} (accepted for ${kind}: ` +
      `${acceptedParameters[kind].join(', ')})`);
  }

  const database = uri.path.replace(/^\/+/, '');
  if (database === '') throw uriError(uri, 'no database name after the host');
  const schema = uri.params.schema;
  if (schema !== undefined && schema === '') throw uriError(uri, 'schema= is empty');

  // A socket arrives as ?host=/dir (libpq's spelling), ?unix_socket= (MySQL's) or as the host.
  const socketParameter = uri.params.unix_socket ?? uri.params.host;
  const socket = [socketParameter, uri.host].find((value) => value?.startsWith('/'));
  const host = socket ? undefined : (uri.host || uri.params.host || 'localhost');
  const port = uri.port ?? defaultPorts[kind];
  const ssl = sslFor(uri, uri.params.sslmode);
  const applicationName = uri.params.application_name ?? 'gatehouse';

  const serverKey = `${kind}://${socket ?? host}:${port}`;
  // The password is part of the identity (a wrong one must not borrow a right one's sessions),
  // hashed so that the key can sit in memory and in debugger output without revealing it.
  const secret = createHash('sha256').update(uri.password ?? '').digest('hex').slice(0, 16);
  const poolKey = [serverKey, uri.user ?? '', secret, database, ssl ? `ssl:${ssl.rejectUnauthorized}` : '',
    applicationName].join('\u0000');

  return {
    kind, host, port, socket, user: uri.user, password: uri.password, database, schema, ssl,
    applicationName, serverKey, poolKey, label: `${serverKey}/${database}`,
  };
}
