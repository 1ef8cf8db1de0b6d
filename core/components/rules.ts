/**
 * `[components]` rules as Trac reads them: `name = enabled|disabled`, names case-insensitive, a
 * trailing `.*` optional, and the most specific prefix wins (`auth_basic.* = enabled` with
 * `auth_basic.HtPasswdStore = disabled` disables just that one).
 */

const ENABLED_WORDS = new Set(['enabled', 'enable', 'on', 'yes', 'true', '1']);

export type ComponentRules = ReadonlyMap<string, boolean>;

export function parseComponentRules(entries: Iterable<[string, string]>): ComponentRules {
  const rules = new Map<string, boolean>();
  for (const [name, value] of entries) {
    const key = name.trim().toLowerCase().replace(/\.\*$/, '').replace(/\*$/, '');
    rules.set(key, ENABLED_WORDS.has(value.trim().toLowerCase()));
  }
  return rules;
}

/**
 * The rule that decides `componentName`, from the full name up through shorter dotted
 * prefixes; undefined when no rule names it (the component's origin decides then).
 */
export function ruleFor(rules: ComponentRules, componentName: string): boolean | undefined {
  let name = componentName.toLowerCase();
  for (;;) {
    const rule = rules.get(name);
    if (rule !== undefined) return rule;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return rules.get('');
    name = name.slice(0, dot);
  }
}

/** Where a plugin came from decides whether its components are on when no rule names them. */
export type PluginOrigin = 'core' | 'builtin' | 'environment' | 'shared';

export function isEnabledByDefault(origin: PluginOrigin): boolean {
  return origin === 'core' || origin === 'environment';
}

export function isComponentEnabled(rules: ComponentRules, componentName: string,
  origin: PluginOrigin): boolean {
  return ruleFor(rules, componentName) ?? isEnabledByDefault(origin);
}
