/** The HTML pages of attachments: a resource's list with the upload form, one attachment, delete. */
import type { RequestContext } from '../dispatch/types';
import { html, type SafeHtml, sendPage } from '../dispatch/html';
import type { AttachmentRecord } from './attachment-store';
import { resourceName, resourceUrlPath, type ResourceRef } from './resource';
import { FILE_FIELD } from './upload';

export function prettySize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Trac stores microseconds. */
function when(record: AttachmentRecord): string {
  return new Date(Math.floor(record.time / 1000)).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function listingHref(context: RequestContext, ref: ResourceRef): string {
  return context.href(`/attachment/${resourceUrlPath(ref)}/`);
}

export function attachmentHref(context: RequestContext, record: AttachmentRecord,
  kind: 'attachment' | 'raw-attachment' = 'attachment'): string {
  return context.href(`/${kind}/${resourceUrlPath(record)}/${encodeURIComponent(record.filename)}`);
}

function uploadForm(context: RequestContext, ref: ResourceRef, maxSize: number): SafeHtml {
  const limit = maxSize >= 0 ? html`<p class="muted">Largest file: ${prettySize(maxSize)}.</p>` : '';
  return html`<form method="post" enctype="multipart/form-data" action="${listingHref(context, ref)}">
<input type="hidden" name="__FORM_TOKEN" value="${context.formToken()}">
<fieldset><legend>Add an attachment</legend>
<label for="attachment-file">File</label>
<input type="file" id="attachment-file" name="${FILE_FIELD}" required>
<label for="attachment-description">Description</label>
<input type="text" id="attachment-description" name="description" maxlength="1000">
<p><input type="checkbox" id="attachment-replace" name="replace" value="1">
<label class="inline" for="attachment-replace">Replace an existing attachment of the same name</label></p>
${limit}<button type="submit">Upload</button></fieldset></form>`;
}

export function sendListing(context: RequestContext, ref: ResourceRef, records: AttachmentRecord[],
  options: { canCreate: boolean; maxSize: number }): void {
  const rows = records.map((record) => html`<tr>
<td><a href="${attachmentHref(context, record)}">${record.filename}</a></td>
<td class="size">${prettySize(record.size)}</td><td>${record.author}</td><td>${when(record)}</td>
<td>${record.description}</td></tr>`);
  const table = records.length === 0
    ? html`<p class="muted">No attachments.</p>`
    : html`<table class="attachments"><thead><tr><th>Name</th><th class="size">Size</th>
<th>Author</th><th>Added</th><th>Description</th></tr></thead><tbody>${rows}</tbody></table>`;
  sendPage(context, {
    title: `Attachments of ${resourceName(ref)}`,
    body: html`<h1>Attachments of ${resourceName(ref)}</h1>${table}
${options.canCreate ? uploadForm(context, ref, options.maxSize) : ''}`,
  });
}

export function sendUploadForm(context: RequestContext, ref: ResourceRef, maxSize: number): void {
  sendPage(context, {
    title: `Add an attachment to ${resourceName(ref)}`,
    body: html`<h1>Add an attachment to ${resourceName(ref)}</h1>${uploadForm(context, ref, maxSize)}`,
  });
}

export interface AttachmentView {
  record: AttachmentRecord;
  canDelete: boolean;
  /** A text preview (already bounded), an image, or nothing. */
  preview: { kind: 'text'; text: string; truncated: boolean } | { kind: 'image' } | undefined;
}

export function sendAttachmentPage(context: RequestContext, view: AttachmentView): void {
  const { record } = view;
  const raw = attachmentHref(context, record, 'raw-attachment');
  let preview: SafeHtml | string = '';
  if (view.preview?.kind === 'image') {
    preview = html`<div class="attachment-preview"><img src="${raw}" alt="${record.filename}"></div>`;
  } else if (view.preview?.kind === 'text') {
    const more = view.preview.truncated ? html`<p class="muted">Preview truncated.</p>` : '';
    preview = html`<div class="attachment-preview"><pre>${view.preview.text}</pre>${more}</div>`;
  }
  const deleteForm = view.canDelete
    ? html`<form method="post" action="${attachmentHref(context, record)}">
<input type="hidden" name="__FORM_TOKEN" value="${context.formToken()}">
<input type="hidden" name="action" value="delete">
<button type="submit" class="danger">Delete this attachment</button></form>`
    : '';
  sendPage(context, {
    title: `${record.filename} (${resourceName(record)})`,
    body: html`<h1>${record.filename}</h1>
<p class="attachment-meta">Attached to <a href="${listingHref(context, record)}">${resourceName(record)}</a>
· ${prettySize(record.size)} · ${record.author || 'anonymous'} · ${when(record)}</p>
${record.description ? html`<p class="description">${record.description}</p>` : ''}
<p><a href="${raw}">Download</a></p>${preview}${deleteForm}`,
  });
}

export function sendDeleteConfirmation(context: RequestContext, record: AttachmentRecord): void {
  sendPage(context, {
    title: `Delete ${record.filename}`,
    body: html`<h1>Delete ${record.filename}?</h1>
<p>The attachment is removed from ${resourceName(record)} for good.</p>
<form method="post" action="${attachmentHref(context, record)}">
<input type="hidden" name="__FORM_TOKEN" value="${context.formToken()}">
<input type="hidden" name="action" value="delete">
<button type="submit" class="danger">Delete</button>
<a href="${attachmentHref(context, record)}">Cancel</a></form>`,
  });
}
