import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Structured logger (pino; the server builds one and hands it to dispatch, handlers and
 * plugins; fastify itself runs without a logger). Object first, message second.
 */
export type Logger = FastifyBaseLogger;

/**
 * Paths pino removes before a line is written: whatever a client sends as a secret never
 * reaches a log, even when a handler logs a request object by mistake.
 */
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'headers.authorization',
  'headers.cookie',
];

/**
 * A logger writing one JSON line per event to standard output. Redaction is on unless
 * `redact: false`, which only a logger whose fields are fixed and never secret may ask for (the
 * request line): redacting costs more than writing such a line.
 */
export function createLogger(level: string, options: { redact?: boolean } = {}): Logger {
  const redact = options.redact === false ? undefined : { paths: redactPaths, censor: '[redacted]' };
  return pino({ level, redact }) as unknown as Logger;
}
