/** `gatehouse-admin ENV initenv [NAME] [DB_URI]`: creates a new environment at ENV. */
import type { CliIo } from '../types';
import { createEnvironment } from '../../env/create-environment';
import { Errors, GatehouseError } from '../../errors';

export const initenvUsage = `usage: gatehouse-admin ENV initenv [NAME] [DB_URI] [--inherit FILE]

Creates a project environment in the folder ENV (which must not exist or be empty):
conf/trac.ini, db/, htdocs/, files/, plugins/, log/, and the database with its tables.
NAME is the project name (default: the folder name). DB_URI defaults to sqlite:db/trac.db;
postgres://user:pass@host:port/db?schema=name and mysql://user:pass@host:port/db enable the
db_pool plugin in the new trac.ini. Nothing is left behind if any step fails.`;

export async function runInitenv(envPath: string, args: string[], io: CliIo): Promise<number> {
  const positional: string[] = [];
  const config: Record<string, Record<string, string>> = {};
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--inherit') {
      const file = args[i + 1];
      if (!file) throw new GatehouseError(Errors.CLI_USAGE, { message: `--inherit needs a file\n${initenvUsage}` });
      config.inherit = { file };
      i += 1;
    } else if (args[i].startsWith('--')) {
      throw new GatehouseError(Errors.CLI_USAGE, { message: `unknown option ${args[i]}\n${initenvUsage}` });
    } else positional.push(args[i]);
  }
  if (positional.length > 2) throw new GatehouseError(Errors.CLI_USAGE, { message: initenvUsage });
  const [projectName, databaseUri] = positional;
  const created = await createEnvironment(envPath, { projectName, databaseUri, config });
  io.out(`Created environment ${created}`);
  io.out(`Start it with: npm start -- --env ${created}`);
  return 0;
}
