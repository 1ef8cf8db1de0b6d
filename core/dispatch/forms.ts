/**
 * Reading form bodies. The server leaves request bodies unread (uploads stream straight to
 * disk), so handlers that take a urlencoded form read it here, bounded in size.
 */
import type { RequestContext } from './types';
import { Errors, GatehouseError } from '../errors';

const DEFAULT_FORM_LIMIT = 64 * 1024;

export async function readUrlEncodedForm(context: RequestContext, limitBytes = DEFAULT_FORM_LIMIT):
  Promise<URLSearchParams> {
  const type = String(context.request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const raw = context.request.raw;
  if (type !== 'application/x-www-form-urlencoded') {
    raw.resume();
    return new URLSearchParams();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      raw.resume();
      throw new GatehouseError(Errors.HTTP_BODY_TOO_LARGE, { limit: limitBytes });
    }
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
