/**
 * `gatehouse-admin ENV config get|set|remove|list`: reading and changing trac.ini from the
 * command line. Writes keep comments, order and untouched lines, and a declared option's new
 * value is checked before anything is written.
 */
import path from 'node:path';
import type { AdminCommand, CliIo } from '../cli/types';
import type { Environment } from '../env/types';
import { isGatehouseError } from '../errors';
import type { OptionSpec } from './options';
import { removeConfigValue, setConfigValue } from './config-writer';
import { CONFIG_EDIT } from './ini-document';
import { formatOptionTable, listOptions, undeclaredKeys } from './option-listing';
import { formatOptionValue, parseOptionValue } from './option-values';

export type OptionSpecsProvider = (env: Environment) => readonly OptionSpec[];

const USAGE = {
  get: `usage: gatehouse-admin ENV config get SECTION KEY

Prints the value of [SECTION] KEY as the environment sees it: from conf/trac.ini, or from a
file it inherits. Exits 1 when no file sets the key.`,
  set: `usage: gatehouse-admin ENV config set SECTION KEY VALUE
       gatehouse-admin ENV config set SECTION KEY --stdin

Sets [SECTION] KEY in the environment's conf/trac.ini, keeping comments, order and every other
line as they were. When a loaded component declares the option, the value is checked first and
refused (exit 2, nothing written) if it is malformed. Keys nobody declares are accepted, for
plugins that are not enabled yet. --stdin reads the value from standard input (one trailing line
break removed), so a password does not end up in the shell history.`,
  remove: `usage: gatehouse-admin ENV config remove SECTION KEY

Removes [SECTION] KEY from the environment's conf/trac.ini, so the inherited value or the
default applies again. Exits 1 when conf/trac.ini does not set the key.`,
  list: `usage: gatehouse-admin ENV config list [SECTION]

Lists every option the loaded components declare, with its current value (secrets shown as
********), type, default and documentation, then the keys set that no loaded component
declares. Exits 1 when some value is malformed, 0 otherwise.`,
};

const SUMMARY = 'Read and change trac.ini: get, set, remove, list';

/** What `config --help` prints: every subcommand's usage and description. */
const FULL_USAGE = `${SUMMARY}.\n\n${Object.values(USAGE).join('\n\n')}`;

type Subcommand = keyof typeof USAGE;

function isSubcommand(name: string | undefined): name is Subcommand {
  return name !== undefined && Object.prototype.hasOwnProperty.call(USAGE, name);
}

function print(io: CliIo, text: string): void {
  for (const line of text.split('\n')) io.out(line);
}

function usageError(io: CliIo, message: string, usage: string): number {
  io.err(message);
  for (const line of usage.split('\n').filter((text) => /^(usage:|\s+gatehouse-admin )/.test(text))) {
    io.err(line);
  }
  return 2;
}

/** Splits arguments into positionals and flags; `--` ends the flags. */
function splitArguments(args: readonly string[]): { positional: string[]; flags: Set<string> } {
  const positional: string[] = [];
  const flags = new Set<string>();
  let flagsEnded = false;
  for (const arg of args) {
    if (!flagsEnded && arg === '--') flagsEnded = true;
    else if (!flagsEnded && ['--help', '-h', '--stdin'].includes(arg)) flags.add(arg === '-h' ? '--help' : arg);
    else positional.push(arg);
  }
  return { positional, flags };
}

function declaredSpec(specs: readonly OptionSpec[], section: string, key: string): OptionSpec | undefined {
  const wanted = key.trim().toLowerCase();
  return specs.find((spec) => spec.section === section && spec.name.toLowerCase() === wanted);
}

export function configCommand(specsProvider: OptionSpecsProvider): AdminCommand {
  return {
    name: 'config',
    summary: SUMMARY,
    usage: FULL_USAGE,

    async run(env: Environment, args: string[], io: CliIo): Promise<number> {
      const [subcommand, ...rest] = args;
      if (subcommand === undefined) return usageError(io, 'config: a subcommand is needed', FULL_USAGE);
      if (subcommand === '--help' || subcommand === '-h') {
        print(io, FULL_USAGE);
        return 0;
      }
      if (!isSubcommand(subcommand)) {
        return usageError(io, `config: unknown subcommand "${subcommand}"`, FULL_USAGE);
      }
      const { positional, flags } = splitArguments(rest);
      if (flags.has('--help')) {
        print(io, USAGE[subcommand]);
        return 0;
      }
      if (flags.has('--stdin') && subcommand !== 'set') {
        return usageError(io, `config ${subcommand}: --stdin only applies to set`, USAGE[subcommand]);
      }
      const iniPath = path.join(env.path, 'conf', 'trac.ini');

      switch (subcommand) {
        case 'get':
          return get(env, positional, io, specsProvider);
        case 'set':
          return set(env, iniPath, positional, flags.has('--stdin'), io, specsProvider);
        case 'remove':
          return remove(env, iniPath, positional, io);
        case 'list':
          return list(env, positional, io, specsProvider);
      }
    },
  };
}

function get(env: Environment, positional: string[], io: CliIo, specsProvider: OptionSpecsProvider): number {
  if (positional.length !== 2) return usageError(io, 'config get: SECTION and KEY are needed', USAGE.get);
  const [section, key] = positional;
  const value = env.config.raw(section, key);
  if (value === undefined) {
    const spec = declaredSpec(specsProvider(env), section, key);
    const fallback = spec ? `; the default applies: "${formatOptionValue(spec, spec.default)}"` : '';
    io.err(`[${section}] ${key} is not set in ${env.config.files.join(' or ')}${fallback}`);
    return 1;
  }
  print(io, value);
  return 0;
}

async function set(env: Environment, iniPath: string, positional: string[], fromStdin: boolean,
  io: CliIo, specsProvider: OptionSpecsProvider): Promise<number> {
  const wanted = fromStdin ? 2 : 3;
  if (positional.length !== wanted) {
    return usageError(io, `config set: SECTION, KEY and ${fromStdin ? '--stdin' : 'VALUE'} are needed`,
      USAGE.set);
  }
  const [section, key] = positional;
  const value = fromStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : positional[2];

  const spec = declaredSpec(specsProvider(env), section, key);
  try {
    if (spec) parseOptionValue(spec, value, { file: iniPath, section, key: spec.name }, env.path);
    await setConfigValue(iniPath, section, key, value);
  } catch (error) {
    if (isGatehouseError(error) && (error.code === 'GH_ERR_CONFIG_VALUE' || error.code === CONFIG_EDIT.code)) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
  return 0;
}

async function remove(env: Environment, iniPath: string, positional: string[], io: CliIo): Promise<number> {
  if (positional.length !== 2) return usageError(io, 'config remove: SECTION and KEY are needed', USAGE.remove);
  const [section, key] = positional;
  if (await removeConfigValue(iniPath, section, key)) return 0;

  const elsewhere = env.config.sourceOf?.(section, key);
  if (elsewhere && path.resolve(elsewhere) !== path.resolve(iniPath)) {
    io.err(`[${section}] ${key} is not set in ${iniPath} but inherited from ${elsewhere}; edit that file`);
  } else {
    io.err(`[${section}] ${key} is not set in ${iniPath}`);
  }
  return 1;
}

function list(env: Environment, positional: string[], io: CliIo, specsProvider: OptionSpecsProvider): number {
  if (positional.length > 1) return usageError(io, 'config list: at most one SECTION', USAGE.list);
  const [section] = positional;
  const specs = specsProvider(env);
  const rows = listOptions(env.config, specs).filter((row) => !section || row.section === section);
  const unknown = undeclaredKeys(env.config, specs).filter((item) => !section || item.section === section);

  if (rows.length) print(io, formatOptionTable(rows));
  else io.out(section ? `No loaded component declares options in [${section}].` : 'No options are declared.');
  if (unknown.length) {
    io.out('');
    io.out('Set, but declared by no loaded component (a typo, or a plugin that is not enabled?):');
    for (const item of unknown) {
      io.out(`  [${item.section}] ${item.key}${item.file ? `  (in ${item.file})` : ''}`);
    }
  }

  const malformed = rows.filter((row) => row.error).length;
  if (malformed) io.err(`${malformed} option value${malformed === 1 ? ' is' : 's are'} malformed; see "error:" above`);
  return malformed ? 1 : 0;
}
