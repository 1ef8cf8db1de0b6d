import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Equality of two secrets in time that depends on neither their contents nor their lengths:
 * compares SHA-256 digests with timingSafeEqual (which alone requires equal lengths).
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
