/** Small HTTP client for tests: real requests over loopback, no cookie magic. */
import http from 'node:http';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  buffer: Buffer;
}

export function request(url: string, options: { method?: string; headers?: Record<string, string>;
  body?: string | Buffer } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const buffer = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buffer.toString('utf8'), buffer });
        });
        res.on('error', reject);
      });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The value of a Set-Cookie header for `name` ('' when expired), or undefined. */
export function setCookie(response: Response, name: string): string | undefined {
  const headers = response.headers['set-cookie'] ?? [];
  for (const header of headers) {
    const [pair] = header.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

export function setCookieHeader(response: Response, name: string): string | undefined {
  return (response.headers['set-cookie'] ?? []).find((header) => header.startsWith(`${name}=`));
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
