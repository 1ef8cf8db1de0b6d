/**
 * Option declarations. The component that reads an option declares it: section, key, type,
 * default and one line of documentation. `gatehouse-admin ENV config list` and docs/options.md
 * are built from these declarations, so an option nobody declared does not exist.
 */

export type OptionType = 'text' | 'bool' | 'int' | 'float' | 'list' | 'path' | 'choice';

interface OptionBase {
  section: string;
  name: string;
  doc: string;
}

export type OptionSpec =
  | (OptionBase & { type: 'text'; default: string; secret?: boolean })
  | (OptionBase & { type: 'bool'; default: boolean })
  | (OptionBase & { type: 'int'; default: number; min?: number; max?: number })
  | (OptionBase & { type: 'float'; default: number; min?: number; max?: number })
  | (OptionBase & { type: 'list'; default: string[]; separator?: string })
  /** A path; relative values resolve against the environment folder. Empty means unset. */
  | (OptionBase & { type: 'path'; default: string })
  | (OptionBase & { type: 'choice'; default: string; choices: readonly string[] });

export type OptionValue<S extends OptionSpec> =
  S extends { type: 'bool' } ? boolean :
  S extends { type: 'int' | 'float' } ? number :
  S extends { type: 'list' } ? string[] :
  string;

/** Declares an option; returns the spec so a module can keep it as a constant. */
export function defineOption<S extends OptionSpec>(spec: S): S {
  return spec;
}
