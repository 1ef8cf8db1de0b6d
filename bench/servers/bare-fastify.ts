/** The reference for the core benchmark: a bare fastify hello-world, nothing else. */
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false });
app.get('/hello', async (_request, reply) => {
  reply.header('content-type', 'text/plain; charset=utf-8');
  return 'Hello, anonymous!\n';
});
app.listen({ host: '127.0.0.1', port }).then(() => process.stdout.write('ready\n'), (error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
