/**
 * Error responses: an HTML page, or JSON when the client prefers it. The body carries the
 * error's code and message and the request id; never a stack trace.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from './types';
import { html, layout } from './html';

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Authentication required', 403: 'Forbidden', 404: 'Not found',
  405: 'Method not allowed', 413: 'Request too large', 416: 'Range not satisfiable',
  500: 'Internal error', 503: 'Service unavailable',
};

export function prefersJson(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  const jsonAt = accept.indexOf('application/json');
  if (jsonAt < 0) return false;
  const htmlAt = accept.indexOf('text/html');
  return htmlAt < 0 || jsonAt < htmlAt;
}

export interface ErrorPageOptions {
  status: number;
  code: string;
  message: string;
  /** Extra HTML under the message (a sign-in link, say). */
  extra?: ReturnType<typeof html>;
  headers?: Record<string, string | string[]>;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, context: RequestContext | undefined,
  options: ErrorPageOptions, siteTitle?: string): void {
  if (reply.sent) return;
  reply.code(options.status);
  for (const [name, value] of Object.entries(options.headers ?? {})) reply.header(name, value);
  if (prefersJson(request)) {
    reply.header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ error: { status: options.status, code: options.code, message: options.message,
        requestId: String(request.id) } }));
    return;
  }
  const title = TITLES[options.status] ?? `Error ${options.status}`;
  const body = html`<h1>${title}</h1><p class="error-message">${options.message}</p>${options.extra}
<p class="error-code"><code>${options.code}</code> · request id <code>${String(request.id)}</code></p>`;
  reply.header('content-type', 'text/html; charset=utf-8').send(layout(context, title, body, siteTitle));
}
