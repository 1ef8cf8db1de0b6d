/**
 * Reading and writing the `permission` table (Trac's: `username`, `action`, both the key). A row
 * whose action is upper case grants that action; any other row makes `username` a member of the
 * group named in `action`.
 */
import type { Queryable } from '../db/types';
import type { Grant } from './action-names';

export async function readGrants(db: Queryable): Promise<Grant[]> {
  return db.all<Grant>('SELECT username, action FROM permission');
}

/** Inserts the grants not stored yet (duplicates within `grants` count once); returns those. */
export async function insertMissingGrants(tx: Queryable, grants: readonly Grant[]): Promise<Grant[]> {
  const stored = new Set((await readGrants(tx)).map(grantKey));
  const added: Grant[] = [];

  for (const grant of grants) {
    const key = grantKey(grant);
    if (stored.has(key)) continue;
    stored.add(key);
    await tx.run('INSERT INTO permission (username, action) VALUES (?, ?)',
      [grant.username, grant.action]);
    added.push({ username: grant.username, action: grant.action });
  }
  return added;
}

/** Deletes the given rows; returns how many existed. */
export async function deleteGrants(tx: Queryable, grants: readonly Grant[]): Promise<number> {
  let removed = 0;
  for (const grant of grants) {
    const result = await tx.run('DELETE FROM permission WHERE username = ? AND action = ?',
      [grant.username, grant.action]);
    removed += result.changes;
  }
  return removed;
}

/** A collision-free key for a (username, action) pair. */
export function grantKey(grant: Grant): string {
  return JSON.stringify([grant.username, grant.action]);
}
