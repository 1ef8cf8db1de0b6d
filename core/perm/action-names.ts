/**
 * What a name in the `permission` table means. As in Trac, a name written in upper case is an
 * action (`WIKI_VIEW`); anything else is a user or a group (`alice`, `developers`, `@admins`).
 */
import { defineError, Errors, GatehouseError } from '../errors';
import type { PermissionGrant } from './types';

export const PermissionErrors = {
  INVALID_SUBJECT: defineError('GH_ERR_PERM_INVALID_SUBJECT', 400,
    '"{subject}" cannot hold permissions: {reason}'),
  POLICY_MISSING: defineError('GH_ERR_PERM_POLICY_MISSING', 500,
    '[trac] permission_policies names {policy}, but no enabled component provides a permission '
    + 'policy by that name; enable it in [components] or remove it from the list '
    + '(enabled policies: {available})'),
} as const;

/** The built-in action that implies every declared action. */
export const TRAC_ADMIN = 'TRAC_ADMIN';

/**
 * True for an action name: it has at least one letter with case and no lower-case letter
 * (Python's `str.isupper()`, which Trac uses), so `WIKI_VIEW2` is an action and `123` is not.
 */
export function isActionName(name: string): boolean {
  return name === name.toUpperCase() && name !== name.toLowerCase();
}

export type Grant = PermissionGrant;

/**
 * Why a grant may not be written, or undefined when it may. An upper-case name must be a
 * declared action; a lower-case name that differs from a declared action only in case
 * (`trac_admin`) is refused, since it would silently grant nothing.
 */
export function grantProblem(grant: Grant, declared: ReadonlySet<string>): GatehouseError | undefined {
  const { username, action } = grant;

  if (username === '') {
    return new GatehouseError(PermissionErrors.INVALID_SUBJECT,
      { subject: username, reason: 'a user or group name must not be empty' });
  }
  if (isActionName(username)) {
    return new GatehouseError(PermissionErrors.INVALID_SUBJECT,
      { subject: username, reason: 'upper-case names are reserved for actions' });
  }

  if (action === '') {
    return new GatehouseError(Errors.PERM_UNKNOWN_ACTION,
      { action: '""', hint: ': an action or group name must not be empty' });
  }
  if (isActionName(action)) {
    if (declared.has(action)) return undefined;
    return new GatehouseError(Errors.PERM_UNKNOWN_ACTION,
      { action, hint: ' (no enabled component declares it)' });
  }
  const upper = action.toUpperCase();
  if (declared.has(upper)) {
    return new GatehouseError(Errors.PERM_UNKNOWN_ACTION, {
      action,
      hint: ` (it differs from the action ${upper} only in case; group names must not look`
        + ' like actions)',
    });
  }
  return undefined;
}

/** Every problem among `grants`, in order: a caller reports them all and writes nothing. */
export function grantProblems(grants: readonly Grant[], declared: ReadonlySet<string>): GatehouseError[] {
  const problems: GatehouseError[] = [];
  for (const grant of grants) {
    const problem = grantProblem(grant, declared);
    if (problem) problems.push(problem);
  }
  return problems;
}
