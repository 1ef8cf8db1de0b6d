/**
 * A throw-away PostgreSQL cluster of our own on a free loopback port, for tests that stop and
 * start the server (the machine's shared PostgreSQL must never be stopped: others use it).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OwnCluster {
  port: number;
  start(): Promise<void>;
  /** A fast shutdown: sessions are told to end, open transactions roll back. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** The folder holding initdb and pg_ctl (the newest installed major), or undefined. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((version) => path.join(root, version, 'bin'))
    .find((bin) => fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl')));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** initdb refuses to run as root: then the cluster belongs to the `postgres` system user. */
function asClusterOwner(bin: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', bin, ...args]];
  return [bin, args];
}

export async function ownPostgresCluster(): Promise<OwnCluster> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gh-pg-'));
  const data = path.join(folder, 'data');
  if (process.getuid?.() === 0) await run('chown', ['postgres', folder]);
  const port = await freePort();

  const pgCtl = (...args: string[]) => run(...asClusterOwner(path.join(bin, 'pg_ctl'), ['-D', data, ...args]));
  await run(...asClusterOwner(path.join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C.UTF-8']));

  const cluster: OwnCluster = {
    port,
    async start() {
      await pgCtl('-l', path.join(folder, 'server.log'), '-w', '-t', '30', '-o',
        `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start');
    },
    async stop() {
      await pgCtl('-m', 'fast', '-w', '-t', '30', 'stop');
    },
    async destroy() {
      await pgCtl('-m', 'immediate', '-w', 'stop').catch(() => undefined);
      await fs.promises.rm(folder, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
