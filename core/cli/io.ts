/** The terminal side of the CLI: output lines, standard input, and a no-echo secret prompt. */
import type { CliIo } from './types';

export function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

function promptWithoutEcho(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return Promise.reject(new Error('no terminal to ask for a password on; pass --password-stdin'));
  }
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let answer = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new Error('interrupted'));
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    input.on('data', onData);
  });
}

export const terminalIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => readAll(process.stdin),
  promptSecret: promptWithoutEcho,
};

/** Collects output in memory: tests run commands in-process with it. */
export function memoryIo(stdin = ''): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout, stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    readStdin: async () => stdin,
    promptSecret: async () => {
      throw new Error('no terminal to ask for a password on; pass --password-stdin');
    },
  };
}
