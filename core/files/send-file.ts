/**
 * Sends one file as an HTTP response: exact bytes and Content-Length at any size, HEAD,
 * validators and conditional requests, byte ranges, content type and disposition, and the
 * X-Sendfile hand-off to a front server. Small files come from a FileCache when one is given;
 * everything else streams from an open file handle, so memory stays flat for any file size and
 * the handle is closed however the response ends (finished, failed or abandoned by the client).
 */
import fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Errors, GatehouseError } from '../errors';
import type { RequestContext } from '../dispatch/types';
import { contentDisposition, type DispositionType } from './content-disposition';
import { evaluatePreconditions, fileValidators, ifRangeAllowsRange } from './conditional';
import { FileErrors } from './errors';
import { acceptedCodings, type CachedFile, type CachedVariant, type FileCache } from './file-cache';
import { contentTypeFor } from './mime';
import { parseRange, type RangeDecision, unsatisfiedRange } from './ranges';
import { type BodySource, bufferBody, fileBody, multipartBody, singleRangeBody } from './file-body';
import { xsendfileSettings, xsendfileValue } from './options';

export interface SendFileOptions {
  /** Full Content-Type; by default from the extension (textual types with charset=utf-8). */
  contentType?: string;
  /** Adds Content-Disposition of this type; omitted means no such header. */
  disposition?: DispositionType;
  /** The name a browser should save as (default: none). */
  downloadName?: string;
  cacheControl?: string;
  /** Serve small files from this cache. */
  cache?: FileCache;
  /** Hand the transfer to a front server through this header (X-Sendfile, X-Accel-Redirect). */
  xsendfileHeader?: string;
  /** Further headers for 200/206 responses (a Content-Security-Policy, say). */
  headers?: Record<string, string>;
}

/** Bytes per read when streaming: small files gain nothing from big buffers, big ones do. */
const SMALL_CHUNK = 64 * 1024;
const LARGE_CHUNK = 512 * 1024;
const LARGE_FILE = 4 * 1024 * 1024;

function notFound(filePath: string): GatehouseError {
  return new GatehouseError(FileErrors.NOT_FOUND, { path: filePath.split('/').pop() ?? '' });
}

/** The representation chosen for this request: its bytes, validators and coding. */
interface Representation {
  size: number;
  variant: Pick<CachedVariant, 'validators' | 'coding'>;
  /** Whether another coding of the same file exists (then responses vary by encoding). */
  varies: boolean;
  body: BodySource;
}

/** Sends `filePath` for a request handled by the dispatcher; honours `[trac] use_xsendfile`. */
export async function sendFile(context: RequestContext, filePath: string,
  options: SendFileOptions = {}): Promise<void> {
  const xsendfileHeader = options.xsendfileHeader ?? xsendfileSettings(context.env.config);
  await sendFileResponse(context.request, context.reply, filePath, { ...options, xsendfileHeader });
}

/** The same without a request context: for any fastify route (the benchmark uses this). */
export async function sendFileResponse(request: FastifyRequest, reply: FastifyReply,
  filePath: string, options: SendFileOptions = {}): Promise<void> {
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD') {
    reply.header('allow', 'GET, HEAD');
    throw new GatehouseError(Errors.HTTP_METHOD, { method, path: request.url });
  }

  const recent = options.xsendfileHeader ? undefined : options.cache?.recent(filePath);
  if (recent) {
    sendCached(request, reply, filePath, recent, options);
    return;
  }

  const stat = await fs.stat(filePath).catch(() => undefined);
  if (!stat || !stat.isFile()) throw notFound(filePath);

  if (options.xsendfileHeader) {
    handOff(request, reply, filePath, stat, options);
    return;
  }

  const cached = options.cache ? await options.cache.lookup(filePath, stat) : undefined;
  if (cached) {
    sendCached(request, reply, filePath, cached, options);
    return;
  }

  // Stream from a handle opened now and described by its own fstat, so the headers describe
  // exactly the file whose bytes follow even if the path is replaced meanwhile.
  const handle = await fs.open(filePath, 'r').catch(() => undefined);
  if (!handle) throw notFound(filePath);
  let handedOver = false;
  try {
    const opened = await handle.stat();
    const chunkSize = opened.size >= LARGE_FILE ? LARGE_CHUNK : SMALL_CHUNK;
    handedOver = respond(request, reply, filePath, {
      size: opened.size, variant: { validators: fileValidators(opened) }, varies: false,
      body: fileBody(handle, chunkSize),
    }, options);
  } finally {
    if (!handedOver) await handle.close();
  }
}

/** Picks the best coding the client accepts and sends it from memory. */
function sendCached(request: FastifyRequest, reply: FastifyReply, filePath: string, cached: CachedFile,
  options: SendFileOptions): void {
  const codings = cached.encoded.length > 0
    ? acceptedCodings(request.headers['accept-encoding'])
    : new Set<string>();
  const variant = cached.encoded.find((v) => v.coding && codings.has(v.coding)) ?? cached.identity;
  respond(request, reply, filePath, {
    size: variant.body.length, variant, varies: cached.encoded.length > 0,
    body: bufferBody(variant.body),
  }, options);
}

function baseHeaders(reply: FastifyReply, representation: Representation, filePath: string,
  options: SendFileOptions): void {
  const { validators, coding } = representation.variant;
  reply.header('etag', validators.etag);
  reply.header('last-modified', validators.lastModified);
  if (representation.varies) reply.header('vary', 'Accept-Encoding');
  if (options.cacheControl) reply.header('cache-control', options.cacheControl);

  reply.header('content-type', options.contentType ?? contentTypeFor(filePath));
  // Without this a browser may "sniff" an uploaded text file into HTML and run it.
  reply.header('x-content-type-options', 'nosniff');
  reply.header('accept-ranges', 'bytes');
  if (coding) reply.header('content-encoding', coding);
  if (options.disposition) {
    reply.header('content-disposition', contentDisposition(options.disposition, options.downloadName));
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) reply.header(name, value);
}

/**
 * Writes the response for one representation. Returns true when the body source was handed to
 * the reply (which then owns and closes it), false when no body was sent.
 */
function respond(request: FastifyRequest, reply: FastifyReply, filePath: string,
  representation: Representation, options: SendFileOptions): boolean {
  baseHeaders(reply, representation, filePath, options);

  const outcome = evaluatePreconditions(request.headers, representation.variant.validators);
  if (outcome === 'not-modified') {
    // §15.4.5: a 304 carries the validators and Vary, not the content headers.
    for (const name of ['content-type', 'content-disposition', 'content-encoding', 'accept-ranges']) {
      reply.removeHeader(name);
    }
    reply.code(304).send();
    return false;
  }
  if (outcome === 'precondition-failed') {
    reply.code(412).header('content-length', '0').send();
    return false;
  }

  // §14.2: range handling is defined for GET only; HEAD answers as a plain GET would.
  const decision: RangeDecision = request.method === 'GET' &&
    ifRangeAllowsRange(request.headers, representation.variant.validators)
    ? parseRange(headerText(request.headers.range), representation.size)
    : { kind: 'whole' };
  const head = request.method === 'HEAD';

  if (decision.kind === 'unsatisfiable') {
    reply.code(416).header('content-range', unsatisfiedRange(representation.size));
    reply.removeHeader('content-disposition');
    reply.header('content-length', '0').send();
    return false;
  }

  if (decision.kind === 'ranges' && decision.ranges.length === 1) {
    const part = singleRangeBody(representation.body, decision.ranges[0], representation.size);
    reply.code(206).header('content-range', part.contentRange);
    return finish(reply, part.length, head ? undefined : part.stream);
  }

  if (decision.kind === 'ranges') {
    const contentType = String(reply.getHeader('content-type'));
    const multipart = multipartBody(representation.body, decision.ranges, representation.size,
      contentType);
    reply.code(206).header('content-type', multipart.contentType);
    return finish(reply, multipart.length, head ? undefined : multipart.stream);
  }

  reply.code(200);
  return finish(reply, representation.size,
    head ? undefined : representation.body.whole(representation.size));
}

function finish(reply: FastifyReply, length: number, stream: ReturnType<BodySource['whole']>
  | undefined): boolean {
  reply.header('content-length', String(length));
  if (stream === undefined) {
    reply.send();
    return false;
  }
  reply.send(stream);
  return true;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * X-Sendfile / X-Accel-Redirect: the front server reads the file itself. Preconditions are
 * still answered here (a 304 costs the front server nothing); ranges are left to it.
 */
function handOff(request: FastifyRequest, reply: FastifyReply, filePath: string, stat: Stats,
  options: SendFileOptions): void {
  const validators = fileValidators(stat);
  const representation: Representation = {
    size: stat.size, variant: { validators }, varies: false, body: bufferBody(Buffer.alloc(0)),
  };
  baseHeaders(reply, representation, filePath, options);
  reply.removeHeader('accept-ranges');

  const outcome = evaluatePreconditions(request.headers, validators);
  if (outcome !== 'proceed') {
    reply.code(outcome === 'not-modified' ? 304 : 412).send();
    return;
  }
  const header = options.xsendfileHeader as string;
  reply.header(header, xsendfileValue(header, filePath));
  reply.code(200).send('');
}
