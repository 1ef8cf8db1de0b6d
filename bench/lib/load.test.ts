import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { measure } from './load';

void t.test('measure counts statuses, honours the request bound and sends the headers', async (t) => {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(String(request.headers['x-probe']));
    response.statusCode = request.url === '/missing' ? 404 : 200;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  const ok = await measure({ url: `http://127.0.0.1:${port}/`, headers: { 'x-probe': 'yes' },
    connections: 4, durationMs: 5000, maxRequests: 40, warmupRequests: 6 });
  t.equal(ok.requests, 40);
  t.same(ok.statusCounts, { 200: 40 });
  t.equal(ok.errors, 0);
  t.ok(ok.requestsPerSecond > 0);
  t.equal(seen.length, 46, 'warm-up requests are sent but not counted');
  t.ok(seen.every((value) => value === 'yes'));

  const missing = await measure({ url: `http://127.0.0.1:${port}/missing`, connections: 2,
    maxRequests: 5 });
  t.same(missing.statusCounts, { 404: 5 });
});

void t.test('a refused connection counts as an error, not a status', async (t) => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const result = await measure({ url: `http://127.0.0.1:${port}/`, connections: 1, maxRequests: 3 });
  t.equal(result.errors, 3);
  t.equal(result.requests, 0);
  t.same(result.statusCounts, {});
});
