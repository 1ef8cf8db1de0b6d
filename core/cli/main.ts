/**
 * gatehouse-admin: `gatehouse-admin ENV <command> [args]`, in the manner of trac-admin.
 * Built-in commands come first; plugins add theirs as ADMIN_COMMAND components. A failure
 * prints one line naming the problem and exits 1 (2 for wrong usage).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { AdminCommand, CliIo } from './types';
import { terminalIo } from './io';
import { openEnvironment, type GatehouseEnvironment } from '../env/environment';
import { ADMIN_COMMAND } from '../components/tokens';
import { runInRequestScope } from '../db/request-scope';
import { Errors, GatehouseError, isGatehouseError } from '../errors';
import { componentCommand } from './commands/component-command';
import { sessionCommand } from './commands/session-command';
import { deployCommand } from './commands/deploy-command';
import { initenvUsage, runInitenv } from './commands/initenv-command';
import { configCommand } from '../config/config-command';

const generalUsage = `usage: gatehouse-admin ENV COMMAND [ARGS...]
       gatehouse-admin ENV help [COMMAND]
       gatehouse-admin --help

ENV is the environment folder. Commands (each takes --help):
  initenv     create a new environment
  config      get, set, remove or list trac.ini options
  component   list components; enable or disable them
  permission  list, add, remove, export or import permission grants
  session     list or delete sessions and sign-ins
  upgrade     upgrade the environment's database schema
  deploy      write a start script, systemd unit and front-server snippets
Enabled plugins add more (user, attachment, db ...): see "gatehouse-admin ENV help".`;

const WITHOUT_DATABASE = new Set(['config', 'component', 'deploy', 'help', '--help']);

function builtinCommands(): AdminCommand[] {
  return [
    configCommand((env) => (env as GatehouseEnvironment).optionSpecs),
    componentCommand,
    sessionCommand,
    deployCommand,
  ];
}

function commandsOf(env: GatehouseEnvironment): AdminCommand[] {
  const builtins = builtinCommands();
  const names = new Set(builtins.map((command) => command.name));
  return [...builtins, ...env.extensions(ADMIN_COMMAND).filter((command) => !names.has(command.name))];
}

function describe(commands: AdminCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length), 8);
  return ['Commands in this environment:', `  ${'initenv'.padEnd(width)}  create a new environment`,
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)].join('\n');
}

function isEnvironment(envPath: string): boolean {
  return fs.existsSync(path.join(envPath, 'conf', 'trac.ini'));
}

export async function runCli(argv: string[], io: CliIo = terminalIo): Promise<number> {
  const [envArg, commandName, ...args] = argv;
  if (!envArg || envArg === '--help' || envArg === '-h' || envArg === 'help') {
    io.out(generalUsage);
    return envArg ? 0 : 2;
  }
  const envPath = path.resolve(envArg);
  if (!commandName) {
    io.err(generalUsage);
    return 2;
  }
  if (commandName === 'initenv') {
    if (args.includes('--help') || args.includes('-h')) {
      io.out(initenvUsage);
      return 0;
    }
    return runInitenv(envPath, args, io);
  }
  if (!isEnvironment(envPath)) {
    throw new GatehouseError(Errors.ENV_NOT_ENVIRONMENT, { path: envPath });
  }
  const log = pino({ level: process.env.GATEHOUSE_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  // These work on files alone, so they can repair a trac.ini whose database cannot be reached.
  const withDatabase = !WITHOUT_DATABASE.has(commandName);
  const env = await openEnvironment(envPath, { name: path.basename(envPath), log, withDatabase });
  try {
    const commands = commandsOf(env);
    if (commandName === 'help' || commandName === '--help') {
      const wanted = commands.find((command) => command.name === args[0]);
      io.out(wanted ? wanted.usage : `${generalUsage}\n\n${describe(commands)}`);
      return 0;
    }
    const command = commands.find((candidate) => candidate.name === commandName);
    if (!command) {
      throw new GatehouseError(Errors.CLI_USAGE, {
        message: `unknown command "${commandName}" (is its plugin enabled?)\n${describe(commands)}` });
    }
    if (args.includes('--help') || args.includes('-h')) {
      io.out(command.usage);
      return 0;
    }
    return await runInRequestScope(() => command.run(env, args, io));
  } finally {
    await env.close();
  }
}

/** The process entry: runs the command line and sets the exit status. */
export async function main(): Promise<void> {
  // `gatehouse-admin ... | head` closes the pipe early: that is not an error worth a trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  let status: number;
  try {
    status = await runCli(process.argv.slice(2));
  } catch (error) {
    if (isGatehouseError(error)) {
      const lines = error.message.split('\n');
      process.stderr.write(`gatehouse-admin: ${lines[0]}\n${lines.slice(1).map((line) => `${line}\n`).join('')}`);
      status = error.code === Errors.CLI_USAGE.code || error.code === Errors.PERM_UNKNOWN_ACTION.code ? 2 : 1;
    } else {
      process.stderr.write(`gatehouse-admin: ${error instanceof Error ? error.message : String(error)}\n`);
      status = 1;
    }
  }
  process.exitCode = status;
}

