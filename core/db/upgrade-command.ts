/**
 * `gatehouse-admin ENV upgrade`: brings the database schema of every enabled participant to the
 * version its code expects, like Trac's `trac-admin ENV upgrade`.
 */
import type { AdminCommand, CliIo } from '../cli/types';
import type { Environment, EnvironmentSetupParticipant } from '../env/types';
import { Errors, GatehouseError } from '../errors';
import { upgradeSchema } from './setup';

const USAGE = [
  'Usage: gatehouse-admin ENV upgrade',
  '',
  'Upgrades the database schema of the environment and of its enabled plugins to the versions',
  'this Gatehouse expects, in one transaction. Stop the servers of this environment and back up',
  'its database first. Prints what was upgraded, or that the database is already up to date.',
].join('\n');

/**
 * @param participantsOf the setup participants enabled in an environment (usually
 *   `(env) => env.extensions(SETUP_PARTICIPANT)`).
 */
export function upgradeCommand(
  participantsOf: (env: Environment) => EnvironmentSetupParticipant[]): AdminCommand {
  return {
    name: 'upgrade',
    summary: 'Upgrade the database schema to this version of Gatehouse',
    usage: USAGE,
    async run(env: Environment, args: string[], io: CliIo): Promise<number> {
      if (args.length > 0) {
        throw new GatehouseError(Errors.CLI_USAGE, { message: `upgrade takes no arguments\n${USAGE}` });
      }
      const upgrades = await upgradeSchema(env.db, participantsOf(env));
      report(upgrades, io, env);
      return 0;
    },
  };
}

function report(upgrades: Awaited<ReturnType<typeof upgradeSchema>>, io: CliIo, env: Environment): void {
  if (upgrades.length === 0) {
    io.out('Database is already up to date');
    return;
  }
  for (const upgrade of upgrades) {
    const what = upgrade.from === 0 ? `installed ${upgrade.versionKey} at version ${upgrade.to}`
      : `upgraded ${upgrade.versionKey} from version ${upgrade.from} to ${upgrade.to}`;
    io.out(what.charAt(0).toUpperCase() + what.slice(1));
    env.log.info({ versionKey: upgrade.versionKey, from: upgrade.from, to: upgrade.to },
      'schema upgraded');
  }
  io.out('Upgrade done.');
}
