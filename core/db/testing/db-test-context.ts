/**
 * For tests and benchmarks of the database core: a real environment folder with a trac.ini,
 * read by the real configuration loader, and a logger that keeps its lines for inspection.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../config/config';
import type { OpenContext } from '../types';

export interface TestOpenContext extends OpenContext {
  /** Log lines written so far, parsed. */
  logLines: Array<Record<string, unknown>>;
}

const DEFAULT_INI = '[trac]\ndatabase = sqlite:db/trac.db\n';

/**
 * Writes `envPath/conf/trac.ini` with `ini` (the text of the file) and returns an OpenContext.
 * Without `ini`, an existing trac.ini is read as it is (a child process sharing the folder).
 */
export async function testOpenContext(envPath: string, ini?: string): Promise<TestOpenContext> {
  await fs.mkdir(path.join(envPath, 'conf'), { recursive: true });
  const iniPath = path.join(envPath, 'conf', 'trac.ini');
  if (ini !== undefined) await fs.writeFile(iniPath, ini);
  else await fs.writeFile(iniPath, DEFAULT_INI, { flag: 'wx' }).catch(() => undefined);
  const config = await loadConfig(iniPath, { envPath });

  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  return { envPath, config, log, logLines };
}
