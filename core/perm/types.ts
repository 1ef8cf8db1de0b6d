/** A plugin's permission actions: plain names, or meta-actions that imply others. */
export type PermissionActionDeclaration = string | { name: string; implies: string[] };

/** One row of the `permission` table: a user or group and an action or group it is granted. */
export interface PermissionGrant {
  username: string;
  action: string;
}

export interface PermissionRequestor {
  getPermissionActions(): PermissionActionDeclaration[];
}

/**
 * An ordered chain (`[trac] permission_policies`): the first policy answering true or false
 * decides; null passes to the next; if none answers the action is denied.
 */
export interface PermissionPolicy {
  readonly name: string;
  checkPermission(action: string, user: string, resource: string | undefined,
    perm: PermissionSystem): Promise<boolean | null>;
}

export interface PermissionSystem {
  /** Every action the user holds through grants, groups and meta-actions (expanded). */
  userActions(user: string): Promise<Set<string>>;
  check(action: string, user: string, resource?: string): Promise<boolean>;
  /** All declared actions, meta-actions included. */
  allActions(): Set<string>;
  grant(subject: string, action: string): Promise<void>;
  revoke(subject: string, action: string): Promise<boolean>;
  /**
   * Checks every grant first (an unknown action, a name differing from an action only in case,
   * an upper-case or empty subject: GH_ERR_PERM_UNKNOWN_ACTION / GH_ERR_PERM_INVALID_SUBJECT,
   * nothing written), then stores the new ones in one transaction; returns those that were new.
   */
  grantAll(grants: readonly PermissionGrant[]): Promise<PermissionGrant[]>;
  /** Deletes the given rows in one transaction; returns how many existed. */
  revokeAll(grants: readonly PermissionGrant[]): Promise<number>;
  /** Raw grants, as rows of the `permission` table. */
  listGrants(): Promise<Array<{ username: string; action: string }>>;
}
