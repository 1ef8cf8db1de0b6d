/**
 * A small Environment for this folder's tests: a real SQLite file opened by the core's SQLite
 * backend with the core schema (Trac's `permission` table among it), a trac.ini given as
 * sections, and extension lists given directly, so a test chooses the requestors, group
 * providers and policies it needs.
 */
import 'reflect-metadata';
import path from 'node:path';
import pino from 'pino';
import { container as rootContainer, type InjectionToken } from 'tsyringe';
import type { ConfigView } from '../config/types';
import type { OptionSpec, OptionValue } from '../config/options';
import type { Database, DatabaseBackend } from '../db/types';
import type { Environment } from '../env/types';
import type { GroupProvider } from '../auth/types';
import type { PermissionPolicy, PermissionRequestor } from './types';
import { defaultValue, parseOptionValue } from '../config/option-values';
import { createDatabase, openDatabase } from '../db/open-database';
import { createSchema } from '../db/setup';
import { CoreSchema } from '../db/core-schema';
import { GROUP_PROVIDER, PERMISSION_POLICY, PERMISSION_REQUESTOR } from '../components/tokens';
import { DefaultPermissionPolicy } from './default-policy';
import { PermissionSystemActions } from './core-actions';
import { DefaultPermissionSystem, type PermissionSystemOptions } from './permission-system';

export interface TestEnvironmentOptions {
  /** The SQLite file; created with the core schema when new. */
  dbFile?: string;
  /** Or another database (created with the core schema when new), in an environment folder. */
  database?: { uri: string; backends: DatabaseBackend[]; envPath: string };
  config?: Record<string, Record<string, string>>;
  /** Default: the core's actions plus the given extra ones. */
  requestors?: PermissionRequestor[];
  groupProviders?: GroupProvider[];
  /** Default: DefaultPermissionPolicy only. */
  policies?: PermissionPolicy[];
  perm?: PermissionSystemOptions;
}

export interface TestEnvironment extends Environment {
  readonly perm: DefaultPermissionSystem;
  close(): Promise<void>;
}

function configView(file: string, sections: Record<string, Record<string, string>>): ConfigView {
  return {
    files: [file],
    option<S extends OptionSpec>(spec: S): OptionValue<S> {
      const raw = sections[spec.section]?.[spec.name];
      if (raw === undefined) return defaultValue(spec, path.dirname(file));
      return parseOptionValue(spec, raw, { file, section: spec.section, key: spec.name }, path.dirname(file));
    },
    raw: (section, key) => sections[section]?.[key],
    section: (section) => Object.entries(sections[section] ?? {}),
    sections: () => Object.keys(sections),
  };
}

export async function openTestEnvironment(options: TestEnvironmentOptions): Promise<TestEnvironment> {
  const log = pino({ level: 'silent' });
  const { uri, backends, envPath } = options.database ?? {
    uri: `sqlite:${options.dbFile}`, backends: [], envPath: path.dirname(options.dbFile ?? ''),
  };
  const config = configView(path.join(envPath, 'conf', 'trac.ini'), options.config ?? {});
  await createDatabase(uri, { envPath, config, log }, backends);
  const db: Database = await openDatabase(uri, { envPath, config, log }, backends);
  await createSchema(db, [new CoreSchema()]);

  const extensions = new Map<unknown, unknown[]>([
    [PERMISSION_REQUESTOR, options.requestors ?? [new PermissionSystemActions()]],
    [GROUP_PROVIDER, options.groupProviders ?? []],
    [PERMISSION_POLICY, options.policies ?? [new DefaultPermissionPolicy()]],
  ]);
  let perm: DefaultPermissionSystem | undefined;

  const env: TestEnvironment = {
    path: envPath,
    name: '',
    config,
    db,
    log,
    container: rootContainer.createChildContainer(),
    get perm() {
      perm ??= new DefaultPermissionSystem(env, options.perm);
      return perm;
    },
    projectName: 'test',
    projectDescription: '',
    extensions: <T>(token: InjectionToken<T>) => (extensions.get(token) ?? []) as T[],
    isComponentEnabled: () => true,
    chromeDirs: new Map(),
    onClose: () => undefined,
    close: () => db.close(),
  };
  return env;
}
