/**
 * Attachments over HTTP, as Trac lays them out:
 *
 *   GET  /attachment/<realm>/<id>/             list, with the upload form (?action=new: form only)
 *   POST /attachment/<realm>/<id>/             upload (multipart/form-data, field "attachment")
 *   GET  /attachment/<realm>/<id>/<name>       HTML page (?format=raw|txt: the bytes)
 *   POST /attachment/<realm>/<id>/<name>       action=delete
 *   GET  /raw-attachment/<realm>/<id>/<name>   the bytes
 *
 * Permissions are checked on `<realm>:<id>` before anything is read or written.
 */
import { inject, injectable } from 'tsyringe';
import { ENVIRONMENT } from '../components/tokens';
import { prefersJson } from '../dispatch/error-page';
import { readUrlEncodedForm } from '../dispatch/forms';
import type { RequestContext, RequestHandler } from '../dispatch/types';
import type { Environment } from '../env/types';
import { Errors, GatehouseError } from '../errors';
import { fileCacheFor } from '../files/env-file-cache';
import { isTextual, mediaTypeFor } from '../files/mime';
import { sendFile } from '../files/send-file';
import { AttachmentErrors } from './attachment-errors';
import { MAX_SIZE, RENDER_UNSAFE_CONTENT } from './attachment-options';
import {
  attachmentHref, listingHref, sendAttachmentPage, sendDeleteConfirmation, sendListing,
  sendUploadForm, type AttachmentView,
} from './attachment-pages';
import { ATTACHMENT_CREATE, ATTACHMENT_DELETE, ATTACHMENT_VIEW } from './attachment-permissions';
import { matchesAttachmentPath, requireAttachmentTarget, type AttachmentTarget } from './attachment-request';
import { AttachmentStore, type AttachmentRecord } from './attachment-store';
import { cleanFileName } from './file-name';
import { looksUtf8, rawSendOptions, readHead } from './raw-content';
import { resourceName, type ResourceRef } from './resource';
import { receiveUpload } from './upload';

/** Text shown on an attachment's page, at most. */
const PREVIEW_BYTES = 64 * 1024;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

@injectable()
export class AttachmentModule implements RequestHandler {
  private readonly store: AttachmentStore;

  constructor(@inject(ENVIRONMENT) private readonly env: Environment) {
    this.store = new AttachmentStore(env);
  }

  matches(context: RequestContext): boolean {
    return matchesAttachmentPath(context.pathInfo);
  }

  async handle(context: RequestContext): Promise<void> {
    const target = requireAttachmentTarget(context.rawPathInfo);
    const resource = resourceName(target.ref);
    const method = context.method;

    if (method === 'POST' && target.kind === 'attachment') {
      if (target.filename === '') return this.upload(context, target.ref);
      return this.postAction(context, target);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      context.reply.header('allow', target.kind === 'attachment' ? 'GET, HEAD, POST' : 'GET, HEAD');
      throw new GatehouseError(Errors.HTTP_METHOD, { method, path: context.pathInfo });
    }

    await context.requirePermission(ATTACHMENT_VIEW, resource);
    if (target.filename === '') return this.list(context, target.ref);

    const record = await this.store.require(target.ref, target.filename);
    const format = context.query.get('format');
    if (target.kind === 'raw-attachment' || format === 'raw' || format === 'txt') {
      return this.sendRaw(context, record, format === 'txt');
    }
    if (context.query.get('action') === 'delete') {
      await context.requirePermission(ATTACHMENT_DELETE, resource);
      sendDeleteConfirmation(context, record);
      return;
    }
    sendAttachmentPage(context, await this.view(context, record));
  }

  private async list(context: RequestContext, ref: ResourceRef): Promise<void> {
    const resource = resourceName(ref);
    const canCreate = await context.hasPermission(ATTACHMENT_CREATE, resource);
    const maxSize = this.env.config.option(MAX_SIZE);
    if (context.query.get('action') === 'new') {
      await context.requirePermission(ATTACHMENT_CREATE, resource);
      sendUploadForm(context, ref, maxSize);
      return;
    }
    const records = await this.store.list(ref);
    if (prefersJson(context.request)) {
      context.reply.header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ resource, attachments: records.map(publicRecord) }));
      return;
    }
    sendListing(context, ref, records, { canCreate, maxSize });
  }

  private async sendRaw(context: RequestContext, record: AttachmentRecord, asText: boolean): Promise<void> {
    const file = this.store.filePath(record, record.filename);
    const options = await rawSendOptions(file, record.filename, {
      renderUnsafe: this.env.config.option(RENDER_UNSAFE_CONTENT), asText,
    });
    await sendFile(context, file, { ...options, cache: fileCacheFor(this.env) });
  }

  private async view(context: RequestContext, record: AttachmentRecord): Promise<AttachmentView> {
    const canDelete = await context.hasPermission(ATTACHMENT_DELETE, resourceName(record));
    const mediaType = mediaTypeFor(record.filename);
    if (IMAGE_TYPES.has(mediaType)) return { record, canDelete, preview: { kind: 'image' } };
    if (!isTextual(mediaType)) return { record, canDelete, preview: undefined };

    const file = this.store.filePath(record, record.filename);
    const head = await readHead(file, PREVIEW_BYTES).catch(() => undefined);
    if (!head || !looksUtf8(head, head.length < PREVIEW_BYTES)) {
      return { record, canDelete, preview: undefined };
    }
    return {
      record, canDelete,
      preview: { kind: 'text', text: head.toString('utf8'), truncated: record.size > head.length },
    };
  }

  private async upload(context: RequestContext, ref: ResourceRef): Promise<void> {
    const resource = resourceName(ref);
    await context.requirePermission(ATTACHMENT_CREATE, resource);

    const state = { closeConnection: false };
    const maxSize = this.env.config.option(MAX_SIZE);
    let upload;
    try {
      upload = await receiveUpload(context, this.store, ref, maxSize, state);
    } catch (error) {
      if (state.closeConnection) context.reply.header('connection', 'close');
      throw error;
    }

    const { fields, file } = upload;
    let record: AttachmentRecord;
    try {
      context.verifyFormToken(fields.get('__FORM_TOKEN'));
      if (!file) throw new GatehouseError(AttachmentErrors.NO_FILE);
      const filename = cleanFileName(file.clientName);
      if (filename === '') throw new GatehouseError(AttachmentErrors.BAD_NAME, { filename: file.clientName });

      const replace = isChecked(fields.get('replace'));
      if (replace) await this.checkReplace(context, ref, filename);
      record = await this.store.commit(file.incoming, {
        filename, author: context.user, description: fields.get('description') ?? '', replace,
      });
    } catch (error) {
      if (file) await this.store.discard(file.incoming);
      throw error;
    }

    context.log.info({ resource, filename: record.filename, size: record.size }, 'attachment added');
    const location = attachmentHref(context, record);
    if (prefersJson(context.request)) {
      context.reply.code(201).header('location', location)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(publicRecord(record)));
      return;
    }
    context.reply.code(303).header('location', location).send();
  }

  /** Replacing your own upload is allowed; anyone else's needs ATTACHMENT_DELETE (as Trac). */
  private async checkReplace(context: RequestContext, ref: ResourceRef, filename: string): Promise<void> {
    const existing = await this.store.get(ref, filename);
    if (!existing) return;
    const own = context.user !== 'anonymous' && existing.author === context.user;
    if (!own) await context.requirePermission(ATTACHMENT_DELETE, resourceName(ref));
  }

  private async postAction(context: RequestContext, target: AttachmentTarget): Promise<void> {
    const resource = resourceName(target.ref);
    await context.requirePermission(ATTACHMENT_DELETE, resource);
    const form = await readUrlEncodedForm(context);
    if (form.get('action') !== 'delete') {
      throw new GatehouseError(Errors.HTTP_BAD_REQUEST, { reason: 'unknown action; expected action=delete' });
    }
    context.verifyFormToken(form.get('__FORM_TOKEN') ?? undefined);

    await this.store.remove(target.ref, target.filename);
    context.log.info({ resource, filename: target.filename }, 'attachment deleted');
    if (prefersJson(context.request)) {
      context.reply.header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ deleted: target.filename, resource }));
      return;
    }
    context.reply.code(303).header('location', listingHref(context, target.ref)).send();
  }
}

function isChecked(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function publicRecord(record: AttachmentRecord): Record<string, unknown> {
  return {
    resource: resourceName(record), filename: record.filename, size: record.size,
    time: new Date(Math.floor(record.time / 1000)).toISOString(), author: record.author,
    description: record.description,
  };
}
