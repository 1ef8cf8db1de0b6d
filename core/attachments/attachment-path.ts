/**
 * Trac's on-disk layout for attachments (Trac 1.0 and later), so an existing environment's
 * files are found where Trac put them:
 *
 *   files/attachments/<realm>/<sha1(id)[0:3]>/<sha1(id)>/<sha1(filename)><ext>
 *
 * Both hashes are of the UTF-8 text; `<ext>` is the file name's last extension when it is
 * plain letters and digits (`.txt`, `.tar.gz` -> `.gz`), otherwise nothing. No part of the
 * path comes from the client except through a hash, and the realm is checked, so no name can
 * lead out of the folder.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { GatehouseError } from '../errors';
import { AttachmentErrors } from './attachment-errors';

/** Realms are folder names: letters, digits, `_` and `-` only. */
const REALM = /^[A-Za-z0-9_-]{1,64}$/;

const EXTENSION = /\.[A-Za-z0-9]+$/;

function sha1(text: string): string {
  return crypto.createHash('sha1').update(text, 'utf8').digest('hex');
}

export function checkRealm(realm: string): string {
  if (!REALM.test(realm)) throw new GatehouseError(AttachmentErrors.BAD_RESOURCE, { resource: realm });
  return realm;
}

export function attachmentsRoot(envPath: string): string {
  return path.join(envPath, 'files', 'attachments');
}

/** The folder holding every attachment of one resource. */
export function resourceFolder(envPath: string, realm: string, id: string): string {
  const hash = sha1(id);
  return path.join(attachmentsRoot(envPath), checkRealm(realm), hash.slice(0, 3), hash);
}

/** The stored file name: sha1 of the name plus its simple extension. */
export function hashedFileName(fileName: string): string {
  const extension = EXTENSION.exec(fileName);
  return sha1(fileName) + (extension ? extension[0] : '');
}

export function attachmentFile(envPath: string, realm: string, id: string, fileName: string): string {
  return path.join(resourceFolder(envPath, realm, id), hashedFileName(fileName));
}
