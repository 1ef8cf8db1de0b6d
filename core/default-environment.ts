/**
 * The environment `npm start` serves when nothing is configured: created once under
 * ./data/default with SQLite, the auth_basic plugin, and an `admin` account (TRAC_ADMIN)
 * whose random password is printed once. Later starts reuse it and print nothing secret.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createEnvironment } from './env/create-environment';
import { openEnvironment } from './env/environment';
import { PASSWORD_STORE } from './components/tokens';
import { runInRequestScope } from './db/request-scope';

export const DEFAULT_ENVIRONMENT_DIR = path.join('data', 'default');

export interface DefaultEnvironment {
  path: string;
  /** Set only on the start that created it. */
  adminPassword?: string;
}

function randomPassword(): string {
  // 18 random bytes, URL-safe base64: 24 characters, about 144 bits.
  return crypto.randomBytes(18).toString('base64url');
}

export async function ensureDefaultEnvironment(baseDir: string): Promise<DefaultEnvironment> {
  const envPath = path.resolve(baseDir, DEFAULT_ENVIRONMENT_DIR);
  if (fs.existsSync(path.join(envPath, 'conf', 'trac.ini'))) return { path: envPath };

  await createEnvironment(envPath, {
    projectName: 'Default Project',
    config: {
      project: { descr: 'Created by npm start; edit conf/trac.ini to make it yours.' },
      components: { 'auth_basic.*': 'enabled' },
      'auth-basic': { realm: 'Gatehouse', user_file: 'users.htpasswd', paths: '/login' },
    },
  });
  const password = randomPassword();
  const env = await openEnvironment(envPath, { name: '', log: pino({ level: 'silent' }) });
  try {
    await runInRequestScope(async () => {
      const store = env.extensions(PASSWORD_STORE).find((candidate) => candidate.setPassword);
      if (!store?.setPassword) throw new Error('the auth_basic plugin did not load, so no admin account could be made');
      await store.setPassword('admin', password);
      await env.perm.grant('admin', 'TRAC_ADMIN');
    });
  } finally {
    await env.close();
  }
  return { path: envPath, adminPassword: password };
}
