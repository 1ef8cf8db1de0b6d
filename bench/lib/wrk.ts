/**
 * wrk (apt-get install wrk) as the load generator when it is installed: a C client spends far
 * less CPU per request than a Node one, which matters when client and server share two cores.
 * Without it, the benchmarks fall back to bench/lib/load.ts and say so.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function findWrk(): string | undefined {
  return ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((candidate) => fs.existsSync(candidate));
}

export interface WrkResult {
  requestsPerSecond: number;
  /** Responses with a status of 400 or more, plus socket errors. */
  failures: number;
  p99Ms: number;
  /** Completed requests in all. */
  requests: number;
}

function milliseconds(text: string | undefined): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text ?? '');
  if (!match) return 0;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

export async function wrkMeasure(wrk: string, url: string,
  options: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<WrkResult> {
  const headerArgs = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const { stdout } = await run(wrk, ['-t2', `-c${options.connections}`, `-d${options.seconds}s`, '--latency',
    ...headerArgs, url], { maxBuffer: 1024 * 1024 });
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const badStatus = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const socketTotal = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    failures: badStatus + socketTotal,
    p99Ms: milliseconds(/\s99%\s+(\S+)/.exec(stdout)?.[1]),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
  };
}
