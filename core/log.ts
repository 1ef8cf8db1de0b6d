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
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(options: { level?: string; destination?: number | string } = {}): pino.Logger {
  return pino({
    level: options.level ?? process.env.GATEHOUSE_LOG_LEVEL ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
  }, pino.destination(options.destination ?? 1));
}
