/**
 * Opens an SQLite database in a child process and prints the error code and message as JSON.
 * Tests run it under an unprivileged uid when they run as root, since file permissions do not
 * stop root. Usage: node open-as-user.js ENV_PATH URI
 */
import 'reflect-metadata';
import pino from 'pino';
import { openDatabase } from '../open-database';
import { loadConfig } from '../../config/config';
import path from 'node:path';

async function main(): Promise<void> {
  const [envPath, uri] = process.argv.slice(2);
  const config = await loadConfig(path.join(envPath, 'conf', 'trac.ini'), { envPath }).catch(() => undefined);
  try {
    const db = await openDatabase(uri, { envPath, config: config as never, log: pino({ level: 'silent' }) });
    await db.close();
    process.stdout.write(JSON.stringify({ opened: true }));
  } catch (error) {
    const failure = error as { code?: string; message?: string };
    process.stdout.write(JSON.stringify({ code: failure.code, message: failure.message }));
  }
}

void main();
