/**
 * The permission actions of attachments. Handlers check them on the owning resource,
 * `<realm>:<id>` (`wiki:WikiStart`), so a permission policy can refine them per realm, for
 * example by answering ATTACHMENT_VIEW on `ticket:*` from the user's TICKET_VIEW.
 */
import { injectable } from 'tsyringe';
import type { PermissionActionDeclaration, PermissionRequestor } from '../perm/types';

export const ATTACHMENT_VIEW = 'ATTACHMENT_VIEW';
export const ATTACHMENT_CREATE = 'ATTACHMENT_CREATE';
export const ATTACHMENT_DELETE = 'ATTACHMENT_DELETE';

@injectable()
export class AttachmentPermissions implements PermissionRequestor {
  getPermissionActions(): PermissionActionDeclaration[] {
    return [ATTACHMENT_VIEW, ATTACHMENT_CREATE, ATTACHMENT_DELETE];
  }
}
