/**
 * Who may do what, as Trac's PermissionSystem with its DefaultPermissionStore: grants live in the
 * `permission` table, groups nest, and `[trac] permission_policies` decides each check.
 */
import type { Environment } from '../env/types';
import type { PermissionGrant, PermissionPolicy, PermissionSystem } from './types';
import { GROUP_PROVIDER, PERMISSION_POLICY, PERMISSION_REQUESTOR } from '../components/tokens';
import { GatehouseError } from '../errors';
import { ActionCatalog } from './action-catalog';
import { grantProblems, isActionName, PermissionErrors } from './action-names';
import { deleteGrants, insertMissingGrants, readGrants } from './grant-store';
import { ExpiringCache } from './expiring-cache';
import { PermissionOptions } from './options';

/**
 * How long a process trusts what it read. Other server processes change grants through the
 * shared database, so a change made there shows here within this time.
 */
export const PERMISSION_CACHE_TTL_MS = 1000;
const MAX_CACHED_USERS = 1000;

/** The pseudo-user every request has, signed in or not. */
export const ANONYMOUS = 'anonymous';
/** The group of every signed-in user. */
export const AUTHENTICATED = 'authenticated';

export interface PermissionSystemOptions {
  /** Cache lifetime in milliseconds, at most PERMISSION_CACHE_TTL_MS; 0 turns caching off. */
  cacheTtlMs?: number;
}

interface GrantSnapshot {
  grants: PermissionGrant[];
  expiresAt: number;
}

/**
 * Every name whose grants apply to `user`: the user, `anonymous`, `authenticated` (for a
 * signed-in user), the groups providers named, then every group any of those was granted,
 * transitively. A cycle of groups ends because a subject already found is not followed again.
 */
export function resolveSubjects(user: string, providerGroups: Iterable<string>,
  grants: readonly PermissionGrant[]): Set<string> {
  const subjects = new Set<string>([user, ANONYMOUS]);
  if (user !== '' && user !== ANONYMOUS) subjects.add(AUTHENTICATED);
  for (const group of providerGroups) subjects.add(group);

  const groupsOf = new Map<string, string[]>();
  for (const { username, action } of grants) {
    if (isActionName(action)) continue;
    const groups = groupsOf.get(username) ?? [];
    groups.push(action);
    groupsOf.set(username, groups);
  }

  const pending = [...subjects];
  while (pending.length > 0) {
    const subject = pending.pop() as string;
    for (const group of groupsOf.get(subject) ?? []) {
      if (subjects.has(group)) continue;
      subjects.add(group);
      pending.push(group);
    }
  }
  return subjects;
}

export class DefaultPermissionSystem implements PermissionSystem {
  private readonly ttlMs: number;
  private readonly userCache = new ExpiringCache<Set<string>>(MAX_CACHED_USERS);
  private snapshot: { promise: Promise<GrantSnapshot>; expiresAt: number } | undefined;
  /** Bumped on every change made here, so a read begun before it is never cached after it. */
  private generation = 0;
  private catalogCache: ActionCatalog | undefined;

  constructor(private readonly env: Environment, options: PermissionSystemOptions = {}) {
    const ttl = options.cacheTtlMs ?? PERMISSION_CACHE_TTL_MS;
    this.ttlMs = Math.max(0, Math.min(ttl, PERMISSION_CACHE_TTL_MS));
  }

  async userActions(user: string): Promise<Set<string>> {
    const cached = this.userCache.get(user);
    if (cached) return new Set(cached);

    const generation = this.generation;
    const { grants, expiresAt } = await this.currentGrants();
    const { groups, complete } = await this.providerGroups(user);

    const subjects = resolveSubjects(user, groups, grants);
    const granted = grants
      .filter((grant) => subjects.has(grant.username) && isActionName(grant.action))
      .map((grant) => grant.action);
    const actions = this.catalog().expand(granted);

    // A result missing a failed provider's groups is used once, never kept.
    if (complete && generation === this.generation) this.userCache.set(user, actions, expiresAt);
    return new Set(actions);
  }

  async check(action: string, user: string, resource?: string): Promise<boolean> {
    for (const policy of this.policies()) {
      const decision = await policy.checkPermission(action, user, resource, this);
      if (decision === true) return true;
      if (decision === false) {
        this.env.log.debug({ action, user, resource, policy: policy.name }, 'a policy denied');
        return false;
      }
    }
    this.env.log.debug({ action, user, resource }, 'no policy allowed');
    return false;
  }

  allActions(): Set<string> {
    return this.catalog().names();
  }

  async grant(subject: string, action: string): Promise<void> {
    await this.grantAll([{ username: subject, action }]);
  }

  async revoke(subject: string, action: string): Promise<boolean> {
    return (await this.revokeAll([{ username: subject, action }])) > 0;
  }

  async grantAll(grants: readonly PermissionGrant[]): Promise<PermissionGrant[]> {
    const problems = grantProblems(grants, this.allActions());
    if (problems.length > 0) throw problems[0];

    try {
      return await this.env.db.transaction((tx) => insertMissingGrants(tx, grants));
    } finally {
      this.invalidate();
    }
  }

  async revokeAll(grants: readonly PermissionGrant[]): Promise<number> {
    try {
      return await this.env.db.transaction((tx) => deleteGrants(tx, grants));
    } finally {
      this.invalidate();
    }
  }

  async listGrants(): Promise<PermissionGrant[]> {
    const grants = await readGrants(this.env.db);
    return grants
      .map(({ username, action }) => ({ username, action }))
      .sort((a, b) => compareText(a.username, b.username) || compareText(a.action, b.action));
  }

  /** Forgets what this process read, so its next answer comes from the database. */
  invalidate(): void {
    this.generation += 1;
    this.snapshot = undefined;
    this.userCache.clear();
  }

  /** The policies `[trac] permission_policies` names, in its order. */
  private policies(): PermissionPolicy[] {
    const names = this.env.config.option(PermissionOptions.policies);
    const enabled = this.env.extensions(PERMISSION_POLICY);
    return names.map((name) => {
      const policy = enabled.find((candidate) => candidate.name === name);
      if (policy) return policy;
      throw new GatehouseError(PermissionErrors.POLICY_MISSING, {
        policy: name,
        available: enabled.map((candidate) => candidate.name).join(', ') || 'none',
      });
    });
  }

  /** The whole table, shared by every user's lookup until it expires (Trac reads it whole too). */
  private currentGrants(): Promise<GrantSnapshot> {
    const now = Date.now();
    if (this.snapshot && this.snapshot.expiresAt > now) return this.snapshot.promise;

    const expiresAt = now + this.ttlMs;
    const promise = readGrants(this.env.db).then((grants) => ({ grants, expiresAt }));
    const snapshot = { promise, expiresAt };
    this.snapshot = snapshot;
    promise.catch(() => {
      if (this.snapshot === snapshot) this.snapshot = undefined;
    });
    return promise;
  }

  private async providerGroups(user: string): Promise<{ groups: string[]; complete: boolean }> {
    const groups: string[] = [];
    let complete = true;
    for (const provider of this.env.extensions(GROUP_PROVIDER)) {
      try {
        groups.push(...await provider.groupsOf(user));
      } catch (error) {
        // Without its groups the user holds fewer actions, never more: deny rather than fail.
        complete = false;
        this.env.log.error({ err: error, user, provider: provider.constructor.name },
          'a group provider failed; its groups are left out of this permission check');
      }
    }
    return { groups, complete };
  }

  private catalog(): ActionCatalog {
    this.catalogCache ??= ActionCatalog.fromRequestors(this.env.extensions(PERMISSION_REQUESTOR));
    return this.catalogCache;
  }
}

/** The environment's permission system (core/env calls this for `env.perm`). */
export function createPermissionSystem(env: Environment,
  options?: PermissionSystemOptions): DefaultPermissionSystem {
  return new DefaultPermissionSystem(env, options);
}

/** Code-unit order, like Python's sort of str (the order trac-admin lists in). */
export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
