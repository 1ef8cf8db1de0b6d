/** `gatehouse-admin ENV component list|enable|disable NAME`: [components] rules from the command line. */
import path from 'node:path';
import type { AdminCommand, CliIo } from '../types';
import type { Environment } from '../../env/types';
import type { GatehouseEnvironment } from '../../env/environment';
import { setConfigValue } from '../../config/config-writer';
import { Errors, GatehouseError } from '../../errors';

const usage = `usage: gatehouse-admin ENV component list
       gatehouse-admin ENV component enable NAME
       gatehouse-admin ENV component disable NAME

NAME is a component (auth_basic.HtPasswdStore), a plugin (auth_basic, same as auth_basic.*),
or a prefix with .*. The rule is written to [components] in conf/trac.ini, keeping the rest
of the file as it is; the most specific rule wins.`;

function knownName(env: GatehouseEnvironment, name: string): boolean {
  const wanted = name.toLowerCase().replace(/\.\*$/, '');
  return env.components.some((component) => {
    const full = component.name.toLowerCase();
    return full === wanted || full.startsWith(`${wanted}.`);
  });
}

export const componentCommand: AdminCommand = {
  name: 'component',
  summary: 'list components; enable or disable them in [components]',
  usage,
  async run(environment: Environment, args: string[], io: CliIo): Promise<number> {
    const env = environment as GatehouseEnvironment;
    const [action, name, ...extra] = args;
    if (action === 'list' && !name) {
      const width = Math.max(9, ...env.components.map((c) => c.name.length));
      io.out(`${'Component'.padEnd(width)}  ${'Origin'.padEnd(11)}  State`);
      io.out(`${'-'.repeat(width)}  ${'-'.repeat(11)}  --------`);
      for (const component of env.components) {
        io.out(`${component.name.padEnd(width)}  ${component.origin.padEnd(11)}  ${component.enabled ? 'enabled' : 'disabled'}`);
      }
      for (const failure of env.pluginFailures) io.out(`! failed to load ${failure.path}: ${failure.error}`);
      return 0;
    }
    if ((action === 'enable' || action === 'disable') && name && extra.length === 0) {
      if (!knownName(env, name)) {
        throw new GatehouseError(Errors.CLI_USAGE, {
          message: `no component or plugin named "${name}" (see: gatehouse-admin ${env.path} component list)` });
      }
      await setConfigValue(path.join(env.path, 'conf', 'trac.ini'), 'components', name, `${action}d`);
      io.out(`${name} = ${action}d`);
      return 0;
    }
    throw new GatehouseError(Errors.CLI_USAGE, { message: usage });
  },
};
