/** Shared by the auth-basic tests: Apache's htpasswd tool, a log capture, the fixtures. */
import { execFile, execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import path from 'node:path';
import fs from 'node:fs';
import pino from 'pino';
import type { Logger } from '../../../core/log';

/** The shared fixtures (made by Apache's tools), found from the checkout or from dist/. */
export function fixturesDir(): string {
  const candidates = [
    process.env.GATEHOUSE_FIXTURES,
    path.resolve(__dirname, '../../../../shared/fixtures'),
    path.resolve(__dirname, '../../../../../shared/fixtures'),
    '/work/shared/fixtures',
  ];
  for (const candidate of candidates) {
    if (candidate && fs.existsSync(path.join(candidate, 'htpasswd'))) return candidate;
  }
  throw new Error('shared/fixtures/htpasswd not found (set GATEHOUSE_FIXTURES)');
}

/** Users, passwords and stored hashes of shared/fixtures/htpasswd (see its README.md). */
export const FIXTURE_PASSWORDS: Record<string, string> = {
  alice: 'wonderland',
  bob: 'builder-42',
  carol: 'sha1 secret',
  dave: 'dave1234xyz',
  erin: 'sha-256 pass',
  frank: 'sha512:rounds',
  grace: 'plain-text',
  heidi: 'Grüße, 世界',
  ivan: 'x'.repeat(80),
  judy: 'a:b:c',
};

export function readFixtureHashes(): Map<string, string> {
  const text = fs.readFileSync(path.join(fixturesDir(), 'htpasswd'), 'utf8');
  const hashes = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) hashes.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return hashes;
}

/** Path of Apache's htpasswd, or undefined when apache2-utils is not installed. */
export function htpasswdBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v htpasswd'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why tests that need htpasswd cannot run, or undefined when they can. Under
 * GATEHOUSE_REQUIRE_SERVICES=1 (CI) a missing tool is a failure, not a skip.
 */
export function htpasswdMissing(): string | undefined {
  if (htpasswdBinary()) return undefined;
  if (process.env.GATEHOUSE_REQUIRE_SERVICES === '1') {
    throw new Error('htpasswd (apache2-utils) is required but not installed');
  }
  return 'htpasswd from apache2-utils is not installed';
}

/**
 * `htpasswd -vb FILE USER PASSWORD`: Apache's own decision (exit 0 right, 3 wrong). Exit 9 means
 * the hash could not be computed at all (a bcrypt cost below 4, say): Apache refuses that user,
 * with a server error; we refuse too, so it counts as "not accepted". Exit 7 is the tool's own
 * "empty hash" refusal, where the server's crypt(3) check fails the same way.
 */
export function apacheAccepts(file: string, user: string, password: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    execFile('htpasswd', ['-vb', file, user, password], (error) => {
      if (!error) return resolve(true);
      if (error.code === 3 || error.code === 7 || error.code === 9) return resolve(false);
      reject(new Error(`htpasswd -vb ${user} exited ${String(error.code)}: ${error.message}`));
    });
  });
}

/** `htpasswd -nb FLAGS USER PASSWORD`: a line as Apache's tool writes it. */
export function apacheHashLine(flags: string[], user: string, password: string): string {
  return execFileSync('htpasswd', ['-nb', ...flags, user, password], { encoding: 'utf8' }).trim();
}

export interface CapturedLog {
  log: Logger;
  lines: Array<Record<string, unknown>>;
  /** Lines at `level` or above (pino numbers: 40 warn, 50 error). */
  atLeast(level: number): Array<Record<string, unknown>>;
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  return {
    log,
    lines,
    atLeast: (level) => lines.filter((line) => Number(line.level) >= level),
    text: () => lines.map((line) => JSON.stringify(line)).join('\n'),
  };
}
