/**
 * initenv: lays out a new environment (conf/trac.ini, db/, htdocs/, files/, plugins/, log/),
 * creates its database and schema, and only then moves it into place, so a failure (a bad
 * connection string, a database that refuses) leaves no half-made folder behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';
import { GatehouseEnvironment, openEnvironment } from './environment';
import { DATABASE_BACKEND } from '../components/tokens';
import { parseDatabaseUri } from '../db/uri';
import { createDatabase } from '../db/open-database';
import { createSchema } from '../db/setup';
import { Errors, GatehouseError } from '../errors';
import pino from 'pino';

export interface CreateEnvironmentOptions {
  projectName?: string;
  /** `[trac] database`; SQLite in db/trac.db by default. */
  databaseUri?: string;
  /** Extra trac.ini settings: section -> key -> value. */
  config?: Record<string, Record<string, string>>;
  log?: Logger;
}

/** Database schemes served by a built-in plugin, enabled in a new environment that uses them. */
const BACKEND_PLUGINS: Record<string, string> = { postgres: 'db_pool.*', mysql: 'db_pool.*' };

function iniValue(value: string): string {
  // A value spanning lines is written as continuation lines, as Trac does.
  return value.replace(/\r?\n/g, '\n    ');
}

export function renderIni(settings: Record<string, Record<string, string>>): string {
  const lines = ['# Gatehouse environment configuration, in Trac\'s trac.ini format.',
    '# Every option is listed with its documentation by: gatehouse-admin ENV config list', ''];
  for (const [section, entries] of Object.entries(settings)) {
    lines.push(`[${section}]`);
    for (const [key, value] of Object.entries(entries)) lines.push(`${key} = ${iniValue(value)}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function isEmptyOrMissing(folder: string): Promise<boolean> {
  try {
    return (await fs.readdir(folder)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

export async function createEnvironment(target: string, options: CreateEnvironmentOptions = {}): Promise<string> {
  const envPath = path.resolve(target);
  const log = options.log ?? pino({ level: 'silent' });
  const databaseUri = options.databaseUri || 'sqlite:db/trac.db';
  const uri = parseDatabaseUri(databaseUri);
  if (!(await isEmptyOrMissing(envPath))) throw new GatehouseError(Errors.ENV_EXISTS, { path: envPath });

  const settings: Record<string, Record<string, string>> = {
    project: { name: options.projectName ?? path.basename(envPath), descr: '' },
    trac: { database: databaseUri },
    components: {},
  };
  const backendPlugin = BACKEND_PLUGINS[uri.scheme];
  if (backendPlugin) settings.components[backendPlugin] = 'enabled';
  for (const [section, entries] of Object.entries(options.config ?? {})) {
    settings[section] = { ...(settings[section] ?? {}), ...entries };
  }

  await fs.mkdir(path.dirname(envPath), { recursive: true });
  const staging = path.join(path.dirname(envPath),
    `.${path.basename(envPath)}.initenv-${crypto.randomBytes(4).toString('hex')}`);
  let env: GatehouseEnvironment | undefined;
  try {
    for (const folder of ['conf', 'db', 'htdocs', 'files/attachments', 'plugins', 'log']) {
      await fs.mkdir(path.join(staging, folder), { recursive: true });
    }
    await fs.writeFile(path.join(staging, 'conf', 'trac.ini'), renderIni(settings), { mode: 0o640 });
    await fs.writeFile(path.join(staging, 'VERSION'), 'Gatehouse Environment Version 1\n');
    await fs.writeFile(path.join(staging, 'README'),
      'This folder is a Gatehouse project environment (Trac layout). Edit conf/trac.ini to configure it.\n');

    env = await openEnvironment(staging, { name: path.basename(envPath), log, withDatabase: false });
    await createDatabase(databaseUri, { envPath: staging, config: env.config, log }, env.extensions(DATABASE_BACKEND));
    await env.openDatabase();
    await createSchema(env.db, env.setupParticipants());
    await env.close();
    env = undefined;

    if (await fs.stat(envPath).catch(() => undefined)) await fs.rmdir(envPath);
    await fs.rename(staging, envPath);
    return envPath;
  } catch (error) {
    await env?.close().catch(() => undefined);
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}
