import type { OptionSpec, OptionValue } from './options';

/**
 * The view of one environment's trac.ini (with its [inherit] files merged) that components see.
 * Reading a declared option validates it: a malformed value throws GH_ERR_CONFIG_VALUE naming the
 * file, section, key, value and what was expected.
 */
export interface ConfigView {
  /** The typed value of a declared option (the default when absent). */
  option<S extends OptionSpec>(spec: S): OptionValue<S>;
  /** The raw text of a key, or undefined when no file sets it. */
  raw(section: string, key: string): string | undefined;
  /** Every key of a section, in file order, inherited files first. */
  section(section: string): Array<[key: string, value: string]>;
  sections(): string[];
  /** The files read, the environment's own trac.ini first, for change detection. */
  readonly files: readonly string[];
  /** The file whose value of a key counts (own or inherited), or undefined when none sets it. */
  sourceOf?(section: string, key: string): string | undefined;
}
