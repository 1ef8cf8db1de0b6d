/** The real curl as an HTTP client for file tests: exact bytes, ranges, --path-as-is. */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Runs curl on `url` with extra `args`; headers and body go through temp files in `scratch`. */
export async function curl(url: string, args: string[] = [], scratch = os.tmpdir()): Promise<Fetched> {
  const id = crypto.randomBytes(6).toString('hex');
  const headerFile = path.join(scratch, `gh-curl-h-${id}`);
  const bodyFile = path.join(scratch, `gh-curl-b-${id}`);
  try {
    await execFileAsync('curl', ['-s', '--path-as-is', '-D', headerFile, '-o', bodyFile, ...args, url],
      { maxBuffer: 16 * 1024 * 1024 });
    const head = await fs.readFile(headerFile, 'utf8');
    const body = await fs.readFile(bodyFile).catch(() => Buffer.alloc(0));
    // With Expect: 100-continue, curl records the interim response first: keep the final one.
    const blocks = head.trim().split(/\r?\n\r?\n/);
    const lines = blocks[blocks.length - 1].split(/\r?\n/);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status: Number(lines[0].split(' ')[1]), headers, body };
  } finally {
    await fs.rm(headerFile, { force: true });
    await fs.rm(bodyFile, { force: true });
  }
}

export function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
