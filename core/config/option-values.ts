/**
 * Turning the text of a declared option into its typed value, and back into text for display.
 * The accepted spellings follow Trac's option classes, so a trac.ini written for Trac reads the
 * same here; a value that fits nothing throws GH_ERR_CONFIG_VALUE saying what was expected.
 */
import path from 'node:path';
import { Errors, GatehouseError } from '../errors';
import type { OptionSpec, OptionValue } from './options';

/** Trac's as_bool words, plus 1 and 0. */
const TRUE_WORDS = new Set(['true', 'yes', 'on', 'enabled', 'aye', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', 'disabled', 'nay', '0']);

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Where a value came from, for the error message. */
export interface ValueOrigin {
  file: string;
  section: string;
  key: string;
  /** 1-based line of the option line, when known. */
  line?: number;
}

function describeRange(noun: string, min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
  if (min !== undefined) return `${noun} of at least ${min}`;
  if (max !== undefined) return `${noun} of at most ${max}`;
  return noun;
}

/** What a declared option accepts, in words, as error messages and `config list` say it. */
export function describeExpected(spec: OptionSpec): string {
  switch (spec.type) {
    case 'bool':
      return 'a boolean: true, yes, on, enabled or 1; false, no, off, disabled or 0';
    case 'int':
      return describeRange('an integer', spec.min, spec.max);
    case 'float':
      return describeRange('a number', spec.min, spec.max);
    case 'choice':
      return `one of: ${spec.choices.join(', ')}`;
    case 'list':
      return `a list separated by "${spec.separator ?? ','}"`;
    case 'path':
      return 'a file or folder path';
    case 'text':
      return 'text';
  }
}

function splitList(raw: string, separator: string): string[] {
  return raw.split(separator).map((item) => item.trim()).filter((item) => item !== '');
}

function parseNumber(spec: OptionSpec & { type: 'int' | 'float' }, raw: string): number | undefined {
  const pattern = spec.type === 'int' ? INTEGER : DECIMAL;
  if (!pattern.test(raw)) return undefined;
  const number = Number(raw);
  if (!Number.isFinite(number) || (spec.type === 'int' && !Number.isSafeInteger(number))) return undefined;
  if (spec.min !== undefined && number < spec.min) return undefined;
  if (spec.max !== undefined && number > spec.max) return undefined;
  return number;
}

function resolvePath(value: string, envPath: string): string {
  return value === '' ? '' : path.resolve(envPath, value);
}

/**
 * The typed default of a spec (lists copied). A relative default path resolves against the
 * environment's conf/ folder, where its trac.ini is, as Trac's PathOption does.
 */
export function defaultValue<S extends OptionSpec>(spec: S, envPath: string): OptionValue<S> {
  if (spec.type === 'list') return [...spec.default] as OptionValue<S>;
  if (spec.type === 'path') return resolvePath(spec.default, path.join(envPath, 'conf')) as OptionValue<S>;
  return spec.default as OptionValue<S>;
}

/**
 * Parses the text of an option. An empty value means the default for bool, int, float and
 * choice options (which have no empty form); for text, list and path it means empty.
 */
export function parseOptionValue<S extends OptionSpec>(
  spec: S, rawValue: string, origin: ValueOrigin, envPath: string,
): OptionValue<S> {
  const raw = rawValue.trim();
  const fail = (): never => {
    throw new GatehouseError(Errors.CONFIG_VALUE, {
      file: origin.file, section: origin.section, key: origin.key, value: rawValue,
      expected: describeExpected(spec), ...(origin.line ? { line: origin.line } : {}),
    });
  };

  switch (spec.type) {
    case 'text':
      return raw as OptionValue<S>;
    case 'path':
      // As Trac's PathOption: relative to the folder of the file that sets the value.
      return resolvePath(raw, origin.file && path.isAbsolute(origin.file)
        ? path.dirname(origin.file) : path.join(envPath, 'conf')) as OptionValue<S>;
    case 'list':
      return splitList(raw, spec.separator ?? ',') as OptionValue<S>;
    case 'bool': {
      if (raw === '') return defaultValue(spec, envPath);
      const word = raw.toLowerCase();
      if (TRUE_WORDS.has(word)) return true as OptionValue<S>;
      if (FALSE_WORDS.has(word)) return false as OptionValue<S>;
      return fail();
    }
    case 'int':
    case 'float': {
      if (raw === '') return defaultValue(spec, envPath);
      return (parseNumber(spec, raw) ?? fail()) as OptionValue<S>;
    }
    case 'choice': {
      const exact = spec.choices.find((choice) => choice === raw);
      const folded = exact ?? spec.choices.find((choice) => choice.toLowerCase() === raw.toLowerCase());
      if (folded !== undefined) return folded as OptionValue<S>;
      if (raw === '') return defaultValue(spec, envPath);
      return fail();
    }
  }
}

/** A typed value as trac.ini text (booleans as Trac writes them: enabled / disabled). */
export function formatOptionValue(spec: OptionSpec, value: unknown): string {
  if (typeof value === 'boolean') return value ? 'enabled' : 'disabled';
  if (Array.isArray(value)) {
    const separator = spec.type === 'list' ? spec.separator ?? ',' : ',';
    return value.join(separator === ',' ? ', ' : separator);
  }
  return String(value);
}
