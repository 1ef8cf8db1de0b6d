/**
 * Reading an upload form (multipart/form-data) as it arrives: the file part streams straight
 * into the attachment store's temporary file, the size limit is applied while it streams, and
 * the small text fields are collected. The request body is the raw Node stream; the server
 * leaves it unread for us.
 */
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../dispatch/types';
import { GatehouseError } from '../errors';
import { AttachmentErrors } from './attachment-errors';
import type { AttachmentStore, IncomingFile } from './attachment-store';
import type { ResourceRef } from './resource';

export interface ReceivedUpload {
  fields: Map<string, string>;
  /** The received file (already on disk, in its temporary place) and the client's name for it. */
  file?: { incoming: IncomingFile; clientName: string };
}

/** The form field that carries the file, as in Trac's upload form. */
export const FILE_FIELD = 'attachment';

/**
 * After a file went over the limit we keep reading (and dropping) the rest of the body, so the
 * client is not cut off before it can read our 413; past this many further bytes we stop and
 * close the connection instead.
 */
const DRAIN_ALLOWANCE = 32 * 1024 * 1024;

const FIELD_LIMITS = { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 32 };

function malformed(reason: string): GatehouseError {
  return new GatehouseError(AttachmentErrors.BAD_UPLOAD, { reason });
}

/**
 * Parses the upload. `maxSize` is `[attachment] max_size` (negative: no limit). On any failure
 * the temporary file is gone and the promise rejects: GH_ERR_ATTACHMENT_TOO_LARGE (413),
 * GH_ERR_ATTACHMENT_BAD_UPLOAD (400). `closeConnection` is set when the body was not read to
 * its end, so the caller answers with `Connection: close`.
 */
export function receiveUpload(context: RequestContext, store: AttachmentStore, ref: ResourceRef,
  maxSize: number, state: { closeConnection: boolean }): Promise<ReceivedUpload> {
  const raw = context.request.raw;
  const type = String(raw.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data')) {
    raw.resume();
    return Promise.reject(new GatehouseError(AttachmentErrors.NO_FILE));
  }

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: raw.headers,
      // busboy flags a file as truncated once it reaches the limit, so allow one byte more and
      // call "more than max_size" too large.
      limits: { ...FIELD_LIMITS, fileSize: maxSize >= 0 ? maxSize + 1 : Infinity },
      // Browsers send UTF-8 file names as raw bytes in filename="...".
      defParamCharset: 'utf8',
    });
  } catch (error) {
    raw.resume();
    return Promise.reject(malformed((error as Error).message));
  }

  return new Promise<ReceivedUpload>((resolve, reject) => {
    const fields = new Map<string, string>();
    let receiving: Promise<ReceivedUpload['file']> | undefined;
    let current: Readable | undefined;
    let tooLarge = false;
    let settled = false;
    let bytesAfterLimit = 0;

    const fail = (error: GatehouseError) => {
      if (settled) return;
      settled = true;
      raw.unpipe(parser);
      parser.destroy();
      current?.destroy(error);
      void (receiving ?? Promise.resolve(undefined)).then(async (file) => {
        if (file) await store.discard(file.incoming);
      }, () => undefined).finally(() => reject(error));
    };

    parser.on('field', (name, value) => {
      fields.set(name, value);
    });
    parser.on('file', (name, stream, info) => {
      // A body that ends mid-file makes busboy fail the file stream too ("Unexpected end of
      // form"); without a listener that error would take the whole process down.
      stream.on('error', (error: Error) => fail(malformed(error.message)));
      if (name !== FILE_FIELD || receiving) {
        stream.resume();
        return;
      }
      current = stream;
      stream.on('limit', () => {
        tooLarge = true;
      });
      const received = store.receive(ref, stream)
        .then((incoming) => ({ incoming, clientName: info.filename ?? '' }));
      // A failure surfaces when the parser closes; keep it from being unhandled meanwhile.
      received.catch(() => undefined);
      receiving = received;
    });
    parser.on('error', (error: Error) => fail(malformed(error.message)));
    parser.on('close', () => {
      if (settled) return;
      void (receiving ?? Promise.resolve(undefined)).then(async (file) => {
        if (settled) return;
        settled = true;
        if (tooLarge) {
          if (file) await store.discard(file.incoming);
          reject(new GatehouseError(AttachmentErrors.TOO_LARGE, { limit: maxSize }));
          return;
        }
        resolve({ fields, file });
      }, (error: unknown) => {
        settled = true;
        reject(malformed((error as Error).message));
      });
    });

    raw.on('data', (chunk: Buffer) => {
      if (!tooLarge) return;
      bytesAfterLimit += chunk.length;
      if (bytesAfterLimit > DRAIN_ALLOWANCE) {
        state.closeConnection = true;
        fail(new GatehouseError(AttachmentErrors.TOO_LARGE, { limit: maxSize }));
      }
    });
    raw.on('close', () => {
      if (!raw.complete) {
        state.closeConnection = true;
        fail(malformed('the client closed the connection before the upload was complete'));
      }
    });
    raw.pipe(parser);
  });
}
