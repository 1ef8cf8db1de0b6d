/**
 * The table behind `gatehouse-admin ENV config list`: every declared option with its current
 * value, its default and its one line of documentation, and the keys a file sets that no
 * loaded component declares (often a typo, or a plugin that is not enabled).
 */
import { isGatehouseError } from '../errors';
import type { OptionSpec, OptionType } from './options';
import type { ConfigView } from './types';
import { formatOptionValue } from './option-values';

export const SECRET_MASK = '********';

export interface OptionRow {
  section: string;
  name: string;
  type: OptionType;
  /** The text as set, or the default's text when no file sets it. */
  value: string;
  default: string;
  doc: string;
  /** Whether a file sets the key. */
  set: boolean;
  /** The file whose value counts, when the configuration can tell. */
  file?: string;
  /** Why the value is refused, when it is. */
  error?: string;
}

export interface UndeclaredKey {
  section: string;
  key: string;
  file?: string;
}

/** Sections whose keys are names, not options: `[components]` rules, for one. */
const FREE_FORM_SECTIONS = new Set(['components']);

function byPlace(a: { section: string; name: string }, b: { section: string; name: string }): number {
  if (a.section !== b.section) return a.section < b.section ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

function uniqueSpecs(specs: readonly OptionSpec[]): OptionSpec[] {
  const seen = new Map<string, OptionSpec>();
  for (const spec of specs) {
    const id = `${spec.section}\0${spec.name.toLowerCase()}`;
    if (!seen.has(id)) seen.set(id, spec);
  }
  return [...seen.values()];
}

/** One row per declared option (the first declaration of a key wins), sorted by section, name. */
export function listOptions(config: ConfigView, specs: readonly OptionSpec[]): OptionRow[] {
  return uniqueSpecs(specs).map((spec) => {
    const raw = config.raw(spec.section, spec.name);
    const secret = spec.type === 'text' && spec.secret === true;
    const row: OptionRow = {
      section: spec.section,
      name: spec.name,
      type: spec.type,
      value: raw ?? formatOptionValue(spec, spec.default),
      default: formatOptionValue(spec, spec.default),
      doc: spec.doc,
      set: raw !== undefined,
    };
    const file = raw !== undefined ? config.sourceOf?.(spec.section, spec.name) : undefined;
    if (file) row.file = file;
    if (secret && row.value !== '') row.value = SECRET_MASK;
    try {
      config.option(spec);
    } catch (error) {
      row.error = isGatehouseError(error) ? error.message : String(error);
    }
    return row;
  }).sort(byPlace);
}

/** Keys set in some file that no spec declares, outside free-form sections such as [components]. */
export function undeclaredKeys(config: ConfigView, specs: readonly OptionSpec[]): UndeclaredKey[] {
  const declared = new Set(specs.map((spec) => `${spec.section}\0${spec.name.toLowerCase()}`));
  const found: UndeclaredKey[] = [];
  for (const section of config.sections()) {
    if (FREE_FORM_SECTIONS.has(section)) continue;
    for (const [key] of config.section(section)) {
      if (declared.has(`${section}\0${key}`)) continue;
      const file = config.sourceOf?.(section, key);
      found.push(file ? { section, key, file } : { section, key });
    }
  }
  return found.sort((a, b) => byPlace({ section: a.section, name: a.key }, { section: b.section, name: b.key }));
}

function indentValue(value: string, indent: string): string {
  return value.split('\n').join(`\n${indent}`);
}

/**
 * Plain text for a terminal: one block per section, each option as `name = value` followed by
 * an indented line with its type, default and documentation, and an `error:` line when the
 * value is refused.
 */
export function formatOptionTable(rows: readonly OptionRow[]): string {
  const out: string[] = [];
  let section: string | undefined;
  for (const row of rows) {
    if (row.section !== section) {
      if (section !== undefined) out.push('');
      out.push(`[${row.section}]`);
      section = row.section;
    }
    const head = `  ${row.name} = `;
    const value = indentValue(row.value, ' '.repeat(head.length));
    const origin = row.set ? (row.file ? `  (from ${row.file})` : '') : '  (default)';
    out.push(`${head}${value}`.trimEnd() + origin);

    const facts = row.set ? `${row.type}, default: ${row.default === '' ? '(empty)' : row.default}` : row.type;
    out.push(`      ${facts}. ${row.doc}`.trimEnd());
    if (row.error) out.push(`      error: ${row.error}`);
  }
  return out.join('\n');
}
