/**
 * File-serving benchmark (issue 4), on loopback, in one run:
 *  1. requests/s for a 10 KB stylesheet through Gatehouse's chrome handler (from its memory
 *     cache) against the same file from a bare fastify with @fastify/static (target: 2x or
 *     more) and from nginx and Apache reading it from disk, when installed (goal: 0.5 of Apache);
 *  2. MB/s for a 5 MiB and a 100 MB raw attachment against @fastify/static (target: 1.5x or
 *     more) and nginx;
 *  3. resident memory of the Gatehouse process while it sends a 3 GiB (sparse) file.
 * Load comes from wrk (2 threads, as in the issue) when installed, else from bench/lib/load.ts;
 * a server that is not installed is named and its column skipped.
 *
 * Run: npx tsc -p . && node dist/bench/files.js [seconds-per-measure]
 *      (apt-get install -y wrk nginx apache2 for every column)
 */
import 'reflect-metadata';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { measure } from './lib/load';
import { cpuSecondsOf, freePort, gatehouse, serverScript, startProcess, type ServerProcess } from './lib/processes';
import { createEnvironment } from '../core/env/create-environment';
import { runCli } from '../core/cli/main';
import { memoryIo } from '../core/cli/io';

const execFileAsync = promisify(execFile);
const seconds = Number(process.argv[2] ?? 5);
const CSS_BYTES = 10 * 1024;
const MIB = 1024 * 1024;

interface Rate {
  requestsPerSecond: number;
  megabytesPerSecond: number;
}

async function which(tool: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const candidate = path.join(dir, tool);
    if (await fs.access(candidate, fs.constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** wrk's summary, or the in-process load generator's when wrk is absent. */
async function load(url: string, connections: number, bytes: number, wrk: string | undefined): Promise<Rate> {
  if (wrk) {
    const { stdout } = await execFileAsync(wrk, ['-t2', `-c${connections}`, `-d${seconds}s`, url],
      { maxBuffer: 1024 * 1024 });
    const requests = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
    if (errors) throw new Error(`${url}: ${errors[1]} failed responses`);
    return { requestsPerSecond: requests, megabytesPerSecond: (requests * bytes) / MIB };
  }
  const result = await measure({ url, connections, durationMs: seconds * 1000, warmupRequests: 200 });
  return { requestsPerSecond: result.requestsPerSecond, megabytesPerSecond: (result.requestsPerSecond * bytes) / MIB };
}

/** Run as `node files.js --serve-static DIR PORT`: the bare @fastify/static comparison server. */
async function serveStatic(root: string, port: number): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Fastify = require('fastify') as typeof import('fastify').default;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fastifyStatic = require('@fastify/static') as typeof import('@fastify/static').default;
  const app = Fastify({ logger: false });
  await app.register(fastifyStatic, { root, dotfiles: 'deny' });
  await app.listen({ host: '127.0.0.1', port });
}

interface External {
  base: string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer`);
}

async function startNginx(binary: string, root: string, work: string): Promise<External> {
  const port = await freePort();
  const conf = path.join(work, 'nginx.conf');
  await fs.writeFile(conf, `worker_processes auto;
error_log ${work}/nginx-error.log;
pid ${work}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { text/css css; application/octet-stream bin; }
  client_body_temp_path ${work}/nginx-body;
  proxy_temp_path ${work}/nginx-proxy;
  fastcgi_temp_path ${work}/nginx-fastcgi;
  uwsgi_temp_path ${work}/nginx-uwsgi;
  scgi_temp_path ${work}/nginx-scgi;
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`);
  const child = spawn(binary, ['-c', conf, '-p', work, '-g', 'daemon off;'], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/bench.css`);
  return { base, stop: stopper(child) };
}

async function startApache(binary: string, root: string, work: string): Promise<External> {
  const port = await freePort();
  const modules = '/usr/lib/apache2/modules';
  const conf = path.join(work, 'httpd.conf');
  await fs.writeFile(path.join(work, 'mime.types'), 'text/css css\napplication/octet-stream bin\n');
  await fs.writeFile(conf, `ServerRoot ${work}
TypesConfig ${work}/mime.types
Listen 127.0.0.1:${port}
ServerName localhost
PidFile ${work}/httpd.pid
ErrorLog ${work}/httpd-error.log
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule mime_module ${modules}/mod_mime.so
User www-data
Group www-data
DocumentRoot ${root}
<Directory ${root}>
  Require all granted
</Directory>
AddType text/css .css
EnableSendfile On
KeepAlive On
MaxKeepAliveRequests 0
StartServers 2
ThreadsPerChild 32
MaxRequestWorkers 128
`);
  const child = spawn(binary, ['-f', conf, '-DFOREGROUND'], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/bench.css`);
  return { base, stop: stopper(child) };
}

/** Peak resident memory of `pid` while `work` runs (Linux /proc). */
async function peakRss(pid: number, work: () => Promise<void>): Promise<{ before: number; peak: number }> {
  const rss = async () => {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  };
  const before = await rss();
  let peak = before;
  const timer = setInterval(() => {
    void rss().then((value) => {
      peak = Math.max(peak, value);
    }, () => undefined);
  }, 50);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { before, peak };
}

function row(label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(46)} ${value.padStart(14)}  ${note}`);
}

async function main(): Promise<void> {
  const wrk = await which('wrk');
  const nginx = await which('nginx');
  const apache = await which('apache2') ?? await which('httpd');
  console.log(`Gatehouse file-serving benchmark: ${seconds} s per measure, ${os.cpus().length} cores, ` +
    `load from ${wrk ? 'wrk -t2' : 'bench/lib/load.ts (wrk not installed)'}`);
  if (!nginx) console.log('nginx not installed: its column is skipped (apt-get install nginx)');
  if (!apache) console.log('Apache not installed: its column is skipped (apt-get install apache2)');

  // Front servers run as their own users: the folders must be readable to them.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-bench-files-'));
  await fs.chmod(dir, 0o755);
  const media = path.join(dir, 'media');
  const work = path.join(dir, 'work');
  await fs.mkdir(media, { mode: 0o755 });
  await fs.mkdir(work, { mode: 0o755 });

  const css = Buffer.from('.rule { color: #224466; margin: 0 auto; padding: 1px; }\n'.repeat(200))
    .subarray(0, CSS_BYTES);
  const files: Array<[string, number]> = [['bench.css', CSS_BYTES], ['five.bin', 5 * MIB], ['hundred.bin', 100_000_000]];
  await fs.writeFile(path.join(media, 'bench.css'), css);
  for (const [name, size] of files.slice(1)) {
    const handle = await fs.open(path.join(media, name), 'w');
    const chunk = Buffer.alloc(MIB, 0x5a);
    for (let written = 0; written < size; written += chunk.length) {
      await handle.write(chunk, 0, Math.min(chunk.length, size - written));
    }
    await handle.close();
  }

  const envPath = path.join(dir, 'env');
  await createEnvironment(envPath, { projectName: 'Bench' });
  await fs.copyFile(path.join(media, 'bench.css'), path.join(envPath, 'htdocs', 'bench.css'));
  const io = memoryIo();
  for (const [name] of files.slice(1)) {
    await runCli([envPath, 'attachment', 'add', 'wiki:Bench', path.join(media, name)], io);
  }
  await runCli([envPath, 'permission', 'add', 'anonymous', 'ATTACHMENT_VIEW'], io);

  const running: Array<{ stop(): Promise<void> }> = [];
  const fronts: Array<[string, External]> = [];
  try {
    const ours = await startProcess(serverScript, gatehouse(['--env', envPath]), '/chrome/site/bench.css');
    running.push(ours);
    const bare = await startProcess(__filename, (port) => ['--serve-static', media, String(port)], '/bench.css');
    running.push(bare);
    for (const [name, binary, start] of [['nginx', nginx, startNginx], ['Apache', apache, startApache]] as const) {
      if (!binary) continue;
      const front = await start(binary, media, work);
      running.push(front);
      fronts.push([name, front]);
    }

    console.log('\n10 KB stylesheet, 32 connections (requests/s)');
    const oursCss = await load(`${ours.base}/chrome/site/bench.css`, 32, CSS_BYTES, wrk);
    const common = await load(`${ours.base}/chrome/common/css/gatehouse.css`, 32, 0, wrk);
    const bareCss = await load(`${bare.base}/bench.css`, 32, CSS_BYTES, wrk);
    row('Gatehouse /chrome/site/bench.css', oursCss.requestsPerSecond.toFixed(0));
    row('Gatehouse /chrome/common/css/gatehouse.css', common.requestsPerSecond.toFixed(0), '(the shipped 3 KB file)');
    row('fastify + @fastify/static', bareCss.requestsPerSecond.toFixed(0),
      `ratio ${(oursCss.requestsPerSecond / bareCss.requestsPerSecond).toFixed(2)} (target 2.0)`);
    for (const [name, front] of fronts) {
      const rate = await load(`${front.base}/bench.css`, 32, CSS_BYTES, wrk);
      row(`${name} from disk`, rate.requestsPerSecond.toFixed(0),
        `Gatehouse/${name} ${(oursCss.requestsPerSecond / rate.requestsPerSecond).toFixed(2)}` +
        (name === 'Apache' ? ' (goal 0.5)' : ''));
    }

    for (const [name, size] of files.slice(1)) {
      console.log(`\n${name} (${(size / MIB).toFixed(1)} MiB), 8 connections (MB/s)`);
      const oursRate = await load(`${ours.base}/raw-attachment/wiki/Bench/${name}`, 8, size, wrk);
      const bareRate = await load(`${bare.base}/${name}`, 8, size, wrk);
      row('Gatehouse /raw-attachment', oursRate.megabytesPerSecond.toFixed(0));
      row('fastify + @fastify/static', bareRate.megabytesPerSecond.toFixed(0),
        `ratio ${(oursRate.megabytesPerSecond / bareRate.megabytesPerSecond).toFixed(2)} (target 1.5)`);
      for (const [frontName, front] of fronts) {
        const rate = await load(`${front.base}/${name}`, 8, size, wrk);
        row(`${frontName} (sendfile)`, rate.megabytesPerSecond.toFixed(0),
          `Gatehouse/${frontName} ${(oursRate.megabytesPerSecond / rate.megabytesPerSecond).toFixed(2)}`);
      }
    }
    await memoryCheck(envPath);
  } finally {
    for (const server of running) await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A 3 GiB sparse file through a fresh Gatehouse process, its memory sampled from /proc. */
async function memoryCheck(envPath: string): Promise<void> {
  const size = 3 * 1024 * MIB;
  const huge = path.join(envPath, 'htdocs', 'huge.iso');
  const handle = await fs.open(huge, 'w');
  await handle.truncate(size);
  await handle.close();

  const port = await freePort();
  const child = spawn(process.execPath, [serverScript, ...gatehouse(['--env', envPath])(port)],
    { stdio: 'ignore', env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn' } });
  const server: ServerProcess = { port, base: `http://127.0.0.1:${port}`, cpuSeconds: () => cpuSecondsOf(child.pid),
    stop: stopper(child) };
  try {
    await waitFor(`${server.base}/chrome/common/css/gatehouse.css`);
    let summary = '';
    const started = Date.now();
    const { before, peak } = await peakRss(child.pid as number, async () => {
      const { stdout } = await execFileAsync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}',
        `${server.base}/chrome/site/huge.iso`]);
      summary = stdout;
    });
    const secondsTaken = (Date.now() - started) / 1000;
    console.log('\n3 GiB sparse file through /chrome/site/ with curl');
    row('status and bytes received', summary, summary === `200 ${size}` ? 'complete' : 'INCOMPLETE');
    row('server resident memory before / peak', `${(before / MIB).toFixed(0)} / ${(peak / MIB).toFixed(0)} MiB`,
      `grew ${((peak - before) / MIB).toFixed(0)} MiB in ${secondsTaken.toFixed(1)} s`);
  } finally {
    await server.stop();
    await fs.rm(huge, { force: true });
  }
}

if (process.argv[2] === '--serve-static') {
  void serveStatic(process.argv[3], Number(process.argv[4]));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
