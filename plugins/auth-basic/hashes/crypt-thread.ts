/** Worker-thread side of the crypt pool: computes one hash per message. */
import { parentPort } from 'node:worker_threads';
import { runCrypt, type CryptFormat } from './crypt-functions';

interface Job {
  id: number;
  format: CryptFormat;
  password: Uint8Array;
  setting: string;
}

parentPort?.on('message', (job: Job) => {
  try {
    const result = runCrypt(job.format, Buffer.from(job.password), job.setting);
    parentPort?.postMessage({ id: job.id, result });
  } catch (error) {
    parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
