/**
 * Test environments made the way a site owner makes them (createEnvironment, real files), on
 * the database GATEHOUSE_TEST_DB names: sqlite (default), postgres or mysql. With postgres or
 * mysql each environment gets a throw-away database or schema, dropped by `cleanup`.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnvironment } from '../../core/env/create-environment';
import { setConfigValue } from '../../core/config/config-writer';

export type TestDatabaseKind = 'sqlite' | 'postgres' | 'mysql';

export function testDatabaseKind(): TestDatabaseKind {
  const kind = (process.env.GATEHOUSE_TEST_DB ?? 'sqlite').toLowerCase();
  if (kind === 'postgres' || kind === 'mysql' || kind === 'sqlite') return kind;
  throw new Error(`GATEHOUSE_TEST_DB must be sqlite, postgres or mysql, not "${kind}"`);
}

const cleanups: Array<() => Promise<void>> = [];

export async function tempDir(prefix = 'gh-test-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function databaseUriFor(name: string): Promise<string | undefined> {
  const kind = testDatabaseKind();
  if (kind === 'sqlite') return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const support = require('../../plugins/db-pool/test-support') as {
    throwawayDatabaseUri(kind: string, name: string): Promise<{ uri: string; drop(): Promise<void> }>;
  };
  const db = await support.throwawayDatabaseUri(kind, name);
  cleanups.push(db.drop);
  return db.uri;
}

export interface MakeEnvironmentOptions {
  projectName?: string;
  description?: string;
  /** trac.ini settings: section -> key -> value. */
  config?: Record<string, Record<string, string>>;
}

/** Creates an environment at `dir/name` and returns its path. */
export async function makeEnvironment(dir: string, name: string, options: MakeEnvironmentOptions = {}): Promise<string> {
  const envPath = path.join(dir, name);
  const databaseUri = await databaseUriFor(`${path.basename(dir)}_${name}`.replace(/[^a-zA-Z0-9_]/g, '_'));
  await createEnvironment(envPath, {
    projectName: options.projectName ?? name,
    databaseUri,
    config: options.config,
  });
  if (options.description !== undefined) {
    await setConfigValue(path.join(envPath, 'conf', 'trac.ini'), 'project', 'descr', options.description);
  }
  return envPath;
}

/** Removes every temp folder and throw-away database this process made. */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()?.().catch(() => undefined);
}
