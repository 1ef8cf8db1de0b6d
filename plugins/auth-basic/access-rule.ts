/**
 * Where Basic asks for credentials (`[auth-basic] paths`) and who may pass (`require`), read as
 * Apache's `<Location>` and `Require valid-user | user ... | group ...`.
 */
import { GROUP_PROVIDER } from '../../core/components/tokens';
import { Errors, GatehouseError } from '../../core/errors';
import type { Environment } from '../../core/env/types';
import { resolveSubjects } from '../../core/perm/permission-system';

export type RequireRule =
  | { kind: 'valid-user' }
  | { kind: 'user'; users: string[] }
  | { kind: 'group'; groups: string[] };

/** Parses the `require` option; throws GH_ERR_CONFIG_VALUE naming what was expected. */
export function parseRequireRule(text: string, file = 'trac.ini'): RequireRule {
  const [kind, ...names] = text.trim().split(/\s+/);
  if (kind === 'valid-user' && names.length === 0) return { kind: 'valid-user' };
  if (kind === 'user' && names.length > 0) return { kind: 'user', users: names };
  if (kind === 'group' && names.length > 0) return { kind: 'group', groups: names };
  throw new GatehouseError(Errors.CONFIG_VALUE, { file, section: 'auth-basic', key: 'require',
    value: text, expected: '"valid-user", "user NAME..." or "group GROUP..."' });
}

/** `/login/` -> `/login`; `login` -> `/login`; `/` stays. */
export function normalizeProtectedPath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  const trimmed = withSlash.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** Whether `pathInfo` lies at or below `protectedPath` (whole segments only). */
export function isUnderPath(pathInfo: string, protectedPath: string): boolean {
  if (protectedPath === '/') return true;
  return pathInfo === protectedPath || pathInfo.startsWith(`${protectedPath}/`);
}

/**
 * Whether an authenticated user satisfies the rule. `names` holds the name as sent and as the
 * core normalises it; either may be listed. Groups come from group providers and from the
 * permission table (`permission add alice developers`, nested), as Trac's groups do.
 */
export async function satisfiesRule(env: Environment, rule: RequireRule,
  names: readonly string[]): Promise<boolean> {
  if (rule.kind === 'valid-user') return true;
  if (rule.kind === 'user') return names.some((name) => rule.users.includes(name));

  const user = names[names.length - 1];
  const providerGroups: string[] = [];
  for (const provider of env.extensions(GROUP_PROVIDER)) {
    providerGroups.push(...await provider.groupsOf(user));
  }
  const subjects = resolveSubjects(user, providerGroups, await env.perm.listGrants());
  return rule.groups.some((group) => subjects.has(group));
}
