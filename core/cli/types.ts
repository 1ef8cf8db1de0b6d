import type { Environment } from '../env/types';

/** Streams and helpers a command writes through, so tests can run commands in-process. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Reads all of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
  /** Asks for a secret on the terminal without echo; rejects when there is no terminal. */
  promptSecret(question: string): Promise<string>;
}

/**
 * A `gatehouse-admin ENV <name> ...` command contributed by a component. It runs with the opened
 * environment; it returns the exit status (0 success). Throw GatehouseError for failures: the
 * CLI prints its message on one line and exits 1 (2 for GH_ERR_CLI_USAGE).
 */
export interface AdminCommand {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text for `--help`. */
  readonly usage: string;
  run(env: Environment, args: string[], io: CliIo): Promise<number>;
}
