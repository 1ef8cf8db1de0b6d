/** Resources that own attachments: `<realm>:<id>` on the command line and in permission checks. */
import { GatehouseError } from '../errors';
import { AttachmentErrors } from './attachment-errors';
import { checkRealm } from './attachment-path';

export interface ResourceRef {
  /** `wiki`, `ticket`, ... : a folder name under files/attachments/. */
  realm: string;
  /** The resource's id within its realm; may contain slashes (wiki page `Foo/Bar`). */
  id: string;
}

/** `wiki:WikiStart` -> { realm: 'wiki', id: 'WikiStart' } (Trac's admin syntax). */
export function parseResource(text: string): ResourceRef {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw new GatehouseError(AttachmentErrors.BAD_RESOURCE, { resource: text });
  }
  try {
    return { realm: checkRealm(text.slice(0, colon)), id: text.slice(colon + 1) };
  } catch {
    throw new GatehouseError(AttachmentErrors.BAD_RESOURCE, { resource: text });
  }
}

/** The resource as permission checks and messages name it: `wiki:WikiStart`. */
export function resourceName(ref: ResourceRef): string {
  return `${ref.realm}:${ref.id}`;
}

/** URL path of the resource's attachments, each part percent-encoded, ids keeping their slashes. */
export function resourceUrlPath(ref: ResourceRef): string {
  const id = ref.id.split('/').map(encodeURIComponent).join('/');
  return `${encodeURIComponent(ref.realm)}/${id}`;
}
