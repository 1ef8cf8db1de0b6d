/**
 * Benchmark servers run in processes of their own, so the load generator in this process never
 * competes with the server for its event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs} ms`);
}

export interface ServerProcess {
  port: number;
  base: string;
  /** CPU seconds (user + system, every thread) the process has used so far; NaN off Linux. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Linux's clock tick for /proc/PID/stat times: 100 on every common kernel build. */
const CLOCK_TICKS_PER_SECOND = 100;

export function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Starts `node script args...` with PORT substituted, and waits until `probePath` answers. */
export async function startProcess(script: string, args: (port: number) => string[], probePath = '/'):
  Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [script, ...args(port)], {
    cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn' },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}${probePath}`, child);
  return {
    port, base,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export function gatehouse(envArgs: string[]): (port: number) => string[] {
  return (port) => [...envArgs, '--host', '127.0.0.1', '--port', String(port)];
}

export const serverScript = path.join(repoRoot, 'dist', 'server.js');
