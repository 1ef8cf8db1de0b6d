/**
 * `gatehouse-admin ENV permission ...`: trac-admin's permission commands. Every change is checked
 * in full before anything is written, and written in one transaction, so a refused command
 * (exit status 2) leaves the grants exactly as they were.
 */
import fs from 'node:fs/promises';
import { injectable } from 'tsyringe';
import type { AdminCommand, CliIo } from '../cli/types';
import type { Environment } from '../env/types';
import type { PermissionGrant } from './types';
import { Errors, GatehouseError } from '../errors';
import { grantProblem } from './action-names';
import { grantKey } from './grant-store';
import { compareText } from './permission-system';
import { CsvSyntaxError, formatCsvRecord, parseCsv } from './permission-csv';
import { formatTable, wrapWords } from './text-table';

const USAGE = `Usage: gatehouse-admin ENV permission SUBCOMMAND ...

  permission list [USER]
      Without USER, every grant; with USER, every action USER holds through grants, groups
      and meta-actions. Then the list of declared actions.
  permission add USER ACTION [ACTION ...]
      Grants actions (upper case, declared by an enabled component) or groups (any other
      name) to USER. Nothing is written when one of them is refused.
  permission remove USER|* ACTION|* [ACTION|* ...]
      Removes grants; * matches every user or every action.
  permission export [FILE]
      Writes every grant as CSV (USER,ACTION[,ACTION...] per line) to FILE, or to standard
      output when FILE is absent or -.
  permission import [FILE]
      Adds the grants of such a CSV file (standard input when FILE is absent or -); every
      line is checked before any grant is written.

Refused input exits with status 2.`;

function usageError(message: string): GatehouseError {
  return new GatehouseError(Errors.CLI_USAGE, { message });
}

/** One error for every refused input, so the CLI prints them all and exits with status 2. */
function refusal(problems: readonly string[]): GatehouseError {
  if (problems.length === 1) return usageError(`${problems[0]}; nothing was written`);
  return usageError(`${problems.length} problems; nothing was written:\n`
    + problems.map((problem) => `  ${problem}`).join('\n'));
}

function sortGrants(grants: PermissionGrant[]): PermissionGrant[] {
  return grants.sort((a, b) => compareText(a.username, b.username) || compareText(a.action, b.action));
}

@injectable()
export class PermissionAdminCommand implements AdminCommand {
  readonly name = 'permission';
  readonly summary = 'list, add, remove, export and import permission grants';
  readonly usage = USAGE;

  async run(env: Environment, args: string[], io: CliIo): Promise<number> {
    const [subcommand, ...rest] = args;
    switch (subcommand) {
      case 'list':
        if (rest.length > 1) throw usageError('permission list takes at most one USER');
        return this.list(env, io, rest[0]);
      case 'add':
        if (rest.length < 2) throw usageError('permission add needs USER and at least one ACTION');
        return this.add(env, io, rest[0], rest.slice(1));
      case 'remove':
        if (rest.length < 2) throw usageError('permission remove needs USER and at least one ACTION');
        return this.remove(env, rest[0], rest.slice(1));
      case 'export':
        if (rest.length > 1) throw usageError('permission export takes at most one FILE');
        return this.exportGrants(env, io, rest[0]);
      case 'import':
        if (rest.length > 1) throw usageError('permission import takes at most one FILE');
        return this.importGrants(env, io, rest[0]);
      default:
        throw usageError(subcommand === undefined
          ? 'permission needs a subcommand: list, add, remove, export or import'
          : `unknown permission subcommand "${subcommand}": use list, add, remove, export or import`);
    }
  }

  private async list(env: Environment, io: CliIo, user: string | undefined): Promise<number> {
    const grants = user === undefined
      ? await env.perm.listGrants()
      : sortGrants([...await env.perm.userActions(user)].map((action) => ({ username: user, action })));

    const rows = grants.map((grant) => [grant.username, grant.action]);
    for (const line of formatTable(['User', 'Action'], rows)) io.out(line);
    io.out('');
    io.out('Available actions:');
    const declared = [...env.perm.allActions()].sort(compareText);
    const words = declared.map((action, index) => index < declared.length - 1 ? `${action},` : action);
    for (const line of wrapWords(words, 75, ' ')) io.out(line);
    io.out('');
    return 0;
  }

  private async add(env: Environment, io: CliIo, user: string, actions: string[]): Promise<number> {
    const grants = [...new Set(actions)].map((action) => ({ username: user, action }));
    const problems = this.problemsOf(env, grants.map((grant) => ({ grant })));
    if (problems.length > 0) throw refusal(problems);

    const added = new Set((await env.perm.grantAll(grants)).map(grantKey));
    for (const grant of grants) {
      if (added.has(grantKey(grant))) continue;
      io.out(`The user ${user} already has permission ${grant.action}.`);
    }
    return 0;
  }

  private async remove(env: Environment, user: string, actions: string[]): Promise<number> {
    const stored = await env.perm.listGrants();
    const doomed = new Map<string, PermissionGrant>();
    const problems: string[] = [];

    for (const action of actions) {
      const matches = stored.filter((grant) =>
        (user === '*' || grant.username === user) && (action === '*' || grant.action === action));
      if (matches.length === 0) {
        problems.push(await this.whyNotRemovable(env, user, action));
        continue;
      }
      for (const grant of matches) doomed.set(grantKey(grant), grant);
    }

    if (problems.length > 0) throw refusal(problems);
    await env.perm.revokeAll([...doomed.values()]);
    return 0;
  }

  private async whyNotRemovable(env: Environment, user: string, action: string): Promise<string> {
    const start = `Cannot remove permission ${action} for user ${user}:`;
    if (user !== '*' && action !== '*' && (await env.perm.userActions(user)).has(action)) {
      return `${start} it is granted through a meta-permission or a group`;
    }
    return `${start} the user has not been granted it`;
  }

  private async exportGrants(env: Environment, io: CliIo, file: string | undefined): Promise<number> {
    const byUser = new Map<string, string[]>();
    for (const grant of await env.perm.listGrants()) {
      const actions = byUser.get(grant.username) ?? [];
      actions.push(grant.action);
      byUser.set(grant.username, actions);
    }
    const records = [...byUser].map(([user, actions]) => formatCsvRecord([user, ...actions]));

    if (file === undefined || file === '-') {
      for (const record of records) io.out(record);
      return 0;
    }
    try {
      await fs.writeFile(file, records.map((record) => `${record}\n`).join(''), 'utf8');
    } catch (error) {
      throw usageError(`cannot export to ${file}: ${(error as Error).message}`);
    }
    return 0;
  }

  private async importGrants(env: Environment, io: CliIo, file: string | undefined): Promise<number> {
    const source = file === undefined || file === '-' ? 'standard input' : file;
    let text: string;
    try {
      text = file === undefined || file === '-'
        ? await io.readStdin()
        : new TextDecoder('utf-8', { fatal: true }).decode(await fs.readFile(file));
    } catch (error) {
      throw usageError(`cannot import from ${source}: ${(error as Error).message}`);
    }

    let records;
    try {
      records = parseCsv(text);
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      throw refusal([`cannot import from ${source} ${error.message}`]);
    }

    const grants: Array<{ grant?: PermissionGrant; line: number; problem?: string }> = [];
    for (const { line, fields } of records) {
      const [user, ...actions] = fields;
      // A spreadsheet pads short rows with empty cells; those grant nothing.
      const named = actions.filter((action) => action !== '');
      if (named.length === 0) {
        grants.push({ line, problem: 'expected USER,ACTION[,ACTION...]' });
        continue;
      }
      for (const action of named) grants.push({ line, grant: { username: user, action } });
    }
    const problems = this.problemsOf(env, grants, source);
    if (problems.length > 0) throw refusal(problems);

    await env.perm.grantAll(grants.flatMap((entry) => entry.grant ? [entry.grant] : []));
    return 0;
  }

  /** Why each refused entry is refused, with its line when it came from a file. */
  private problemsOf(env: Environment,
    entries: Array<{ grant?: PermissionGrant; line?: number; problem?: string }>, source?: string): string[] {
    const declared = env.perm.allActions();
    const problems: string[] = [];
    for (const entry of entries) {
      const problem = entry.problem ?? (entry.grant && grantProblem(entry.grant, declared)?.message);
      if (!problem) continue;
      problems.push(entry.line === undefined ? problem : `${source} line ${entry.line}: ${problem}`);
    }
    return problems;
  }
}
