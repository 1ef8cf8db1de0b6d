/**
 * Runs the crypt(3) hashes (SHA-crypt with many rounds, DES, MD5) on worker threads, so a
 * costly or repeated wrong password never stalls the event loop that serves every other
 * request, as bcrypt already runs on libuv's pool. Workers start on first use, are shared by
 * the process (a compute resource, not environment state) and do not keep it alive.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CryptFormat } from './crypt-functions';

interface Pending {
  resolve(result: string | null): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

const POOL_SIZE = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
const workers: PoolWorker[] = [];
let nextId = 0;
let nextWorker = 0;

function spawn(index: number): PoolWorker {
  const entry: PoolWorker = { worker: new Worker(path.join(__dirname, 'crypt-thread.js')), pending: new Map() };
  entry.worker.on('message', (message: { id: number; result?: string | null; error?: string }) => {
    const job = entry.pending.get(message.id);
    if (!job) return;
    entry.pending.delete(message.id);
    if (entry.pending.size === 0) entry.worker.unref();
    if (message.error !== undefined) job.reject(new Error(message.error));
    else job.resolve(message.result ?? null);
  });
  const fail = (error: Error) => {
    for (const job of entry.pending.values()) job.reject(error);
    entry.pending.clear();
    if (workers[index] === entry) workers[index] = spawn(index);
  };
  entry.worker.on('error', fail);
  entry.worker.on('exit', (code) => {
    if (entry.pending.size > 0) fail(new Error(`crypt worker exited with ${code}`));
  });
  // Idle workers must not keep the process alive; busy ones must (a CLI waiting for an answer).
  // After the listeners: adding a 'message' listener refs the worker again.
  entry.worker.unref();
  return entry;
}

/** Computes crypt(`password`, `setting`) off the event loop; null for a malformed setting. */
export function cryptOffThread(format: CryptFormat, password: Buffer, setting: string): Promise<string | null> {
  const index = nextWorker;
  nextWorker = (nextWorker + 1) % POOL_SIZE;
  workers[index] ??= spawn(index);
  const entry = workers[index];
  const id = (nextId += 1);
  return new Promise((resolve, reject) => {
    if (entry.pending.size === 0) entry.worker.ref();
    entry.pending.set(id, { resolve, reject });
    entry.worker.postMessage({ id, format, password: new Uint8Array(password), setting });
  });
}
