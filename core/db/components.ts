/**
 * The database core's components and options, for core/core-plugin.ts: the core schema
 * (`core.CoreSchema`, a setup participant) and the `upgrade` admin command
 * (`core.UpgradeCommand`).
 */
import { injectable } from 'tsyringe';
import type { AdminCommand, CliIo } from '../cli/types';
import type { ComponentRegistration } from '../components/plugin';
import { ADMIN_COMMAND, SETUP_PARTICIPANT } from '../components/tokens';
import type { OptionSpec } from '../config/options';
import type { Environment } from '../env/types';
import { CoreSchema } from './core-schema';
import { databaseOptions } from './db-options';
import { upgradeCommand } from './upgrade-command';

@injectable()
export class CoreSchemaComponent extends CoreSchema {}

@injectable()
export class UpgradeCommandComponent implements AdminCommand {
  private readonly command = upgradeCommand((env) => env.extensions(SETUP_PARTICIPANT));
  readonly name = this.command.name;
  readonly summary = this.command.summary;
  readonly usage = this.command.usage;

  run(env: Environment, args: string[], io: CliIo): Promise<number> {
    return this.command.run(env, args, io);
  }
}

export const components: ComponentRegistration[] = [
  { name: 'CoreSchema', class: CoreSchemaComponent, provides: [SETUP_PARTICIPANT] },
  { name: 'UpgradeCommand', class: UpgradeCommandComponent, provides: [ADMIN_COMMAND] },
];

export const options: OptionSpec[] = databaseOptions;
