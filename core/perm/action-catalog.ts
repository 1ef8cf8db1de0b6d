/**
 * The actions components declare (PERMISSION_REQUESTOR) and what each meta-action implies.
 * TRAC_ADMIN is always declared and implies every other declared action, whoever declares them.
 */
import type { PermissionActionDeclaration, PermissionRequestor } from './types';
import { TRAC_ADMIN } from './action-names';

export class ActionCatalog {
  /** Every declared action, mapped to the actions it implies directly (empty for plain ones). */
  private readonly implied = new Map<string, Set<string>>();

  constructor(declarations: Iterable<PermissionActionDeclaration>) {
    this.implied.set(TRAC_ADMIN, new Set());
    for (const declaration of declarations) {
      const name = typeof declaration === 'string' ? declaration : declaration.name;
      let implies = this.implied.get(name);
      if (!implies) {
        implies = new Set();
        this.implied.set(name, implies);
      }
      // Two components may declare one meta-action; it implies the union of both lists.
      if (typeof declaration !== 'string') {
        for (const action of declaration.implies) implies.add(action);
      }
    }

    const everything = this.implied.get(TRAC_ADMIN) as Set<string>;
    for (const name of this.implied.keys()) if (name !== TRAC_ADMIN) everything.add(name);
  }

  static fromRequestors(requestors: readonly PermissionRequestor[]): ActionCatalog {
    return new ActionCatalog(requestors.flatMap((requestor) => requestor.getPermissionActions()));
  }

  /** Declared actions, meta-actions included. */
  names(): Set<string> {
    return new Set(this.implied.keys());
  }

  /**
   * `actions` plus everything they imply, transitively. A cycle among meta-actions (A implies
   * B implies A) ends because an action already in the result is not expanded again. Actions
   * nobody declares stay in the result as granted (a grant left by a disabled plugin).
   */
  expand(actions: Iterable<string>): Set<string> {
    const result = new Set<string>();
    const pending = [...actions];
    while (pending.length > 0) {
      const action = pending.pop() as string;
      if (result.has(action)) continue;
      result.add(action);
      for (const implied of this.implied.get(action) ?? []) pending.push(implied);
    }
    return result;
  }
}
