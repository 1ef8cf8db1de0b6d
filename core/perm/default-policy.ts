/**
 * Trac's DefaultPermissionPolicy: allows what the user holds through grants, groups and
 * meta-actions, and otherwise stays silent so a later policy in the chain may still decide.
 */
import { injectable } from 'tsyringe';
import type { PermissionPolicy, PermissionSystem } from './types';

@injectable()
export class DefaultPermissionPolicy implements PermissionPolicy {
  readonly name = 'DefaultPermissionPolicy';

  async checkPermission(action: string, user: string, _resource: string | undefined,
    perm: PermissionSystem): Promise<boolean | null> {
    const actions = await perm.userActions(user);
    return actions.has(action) ? true : null;
  }
}
