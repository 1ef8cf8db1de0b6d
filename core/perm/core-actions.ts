/**
 * The actions the core itself checks. Each area declares its own (attachments declare
 * ATTACHMENT_*), so an action exists exactly when the component that checks it is enabled.
 */
import { injectable } from 'tsyringe';
import type { PermissionActionDeclaration, PermissionRequestor } from './types';
import { TRAC_ADMIN } from './action-names';

export const CoreActions = {
  TRAC_ADMIN,
  PERMISSION_GRANT: 'PERMISSION_GRANT',
  PERMISSION_REVOKE: 'PERMISSION_REVOKE',
  PERMISSION_ADMIN: 'PERMISSION_ADMIN',
  /** Shows the configuration and the loaded plugins on /about. */
  CONFIG_VIEW: 'CONFIG_VIEW',
} as const;

@injectable()
export class PermissionSystemActions implements PermissionRequestor {
  getPermissionActions(): PermissionActionDeclaration[] {
    return [
      CoreActions.TRAC_ADMIN,
      CoreActions.PERMISSION_GRANT,
      CoreActions.PERMISSION_REVOKE,
      {
        name: CoreActions.PERMISSION_ADMIN,
        implies: [CoreActions.PERMISSION_GRANT, CoreActions.PERMISSION_REVOKE],
      },
      CoreActions.CONFIG_VIEW,
    ];
  }
}
