/**
 * The reference for the core benchmark: a bare fastify hello-world, nothing else; with a file
 * argument it also serves that file's bytes as an HTML page at /page (the same bytes as
 * Gatehouse's home page, to separate the cost of the page size from the cost of dispatch).
 */
import fs from 'node:fs';
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const pageFile = process.argv[3];
const app = Fastify({ logger: false });
if (pageFile) {
  const page = fs.readFileSync(pageFile, 'utf8');
  app.get('/page', async (_request, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8');
    return page;
  });
}
app.get('/hello', async (_request, reply) => {
  reply.header('content-type', 'text/plain; charset=utf-8');
  return 'Hello, anonymous!\n';
});
app.listen({ host: '127.0.0.1', port }).then(() => process.stdout.write('ready\n'), (error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
