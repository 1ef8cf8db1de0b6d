/**
 * `gatehouse-admin ENV user list|add|passwd|remove|verify`: keeps the `[auth-basic] user_file`
 * htpasswd file, writing bcrypt lines that Apache's `htpasswd -v` reads back.
 */
import fs from 'node:fs';
import { injectable } from 'tsyringe';
import { PASSWORD_STORE } from '../../core/components/tokens';
import type { AdminCommand, CliIo } from '../../core/cli/types';
import type { Environment } from '../../core/env/types';
import { Errors, GatehouseError } from '../../core/errors';
import { AuthBasicErrors } from './errors';
import { checkStorablePassword, checkStorableUserName, type HtpasswdFileStore } from './htpasswd-file-store';
import { HtPasswdStore } from './htpasswd-store';

const USAGE = `Usage: gatehouse-admin ENV user SUBCOMMAND ...

  user list
      The users of the htpasswd file named by [auth-basic] user_file, in file order.
  user add USER [--password-stdin]
      Adds USER with a bcrypt password; creates the file when it does not exist yet.
  user passwd USER [--password-stdin]
      Changes the password of an existing USER.
  user remove USER
      Removes USER (every line of that user).
  user verify USER [--password-stdin]
      Checks a password as a sign-in would; exit status 0 when it is right, 1 when not.

The password is asked for on the terminal (twice for add and passwd), or read from standard
input with --password-stdin (one trailing newline is dropped). Exit status: 0 done, 1 refused
or failed (one line says why), 2 wrong usage.`;

const BCRYPT_MAX_BYTES = 72;

function usageError(message: string): GatehouseError {
  return new GatehouseError(Errors.CLI_USAGE, { message });
}

@injectable()
export class UserAdminCommand implements AdminCommand {
  readonly name = 'user';
  readonly summary = 'list, add, change, remove and verify users of the htpasswd file';
  readonly usage = USAGE;

  async run(env: Environment, args: string[], io: CliIo): Promise<number> {
    const fromStdin = args.includes('--password-stdin');
    const unknownFlag = args.find((arg) => arg.startsWith('--') && arg !== '--password-stdin');
    if (unknownFlag) throw usageError(`unknown option ${unknownFlag}`);
    const [subcommand, ...rest] = args.filter((arg) => arg !== '--password-stdin');

    if (subcommand === 'list') {
      if (rest.length > 0 || fromStdin) throw usageError('user list takes no arguments');
      for (const user of await this.store(env).listUsers()) io.out(user);
      return 0;
    }
    if (!['add', 'passwd', 'remove', 'verify'].includes(subcommand ?? '')) {
      throw usageError(subcommand === undefined
        ? 'user needs a subcommand: list, add, passwd, remove or verify'
        : `unknown user subcommand "${subcommand}": use list, add, passwd, remove or verify`);
    }
    if (rest.length !== 1) throw usageError(`user ${subcommand} needs exactly one USER`);
    const user = rest[0];
    if (subcommand === 'remove' && fromStdin) throw usageError('user remove reads no password');

    const store = this.store(env);
    switch (subcommand) {
      case 'add':
      case 'passwd':
        return this.setPassword(store, io, subcommand, user, fromStdin);
      case 'remove':
        if (!(await store.deleteUser(user))) {
          throw new GatehouseError(AuthBasicErrors.NO_SUCH_USER, { user, file: store.file });
        }
        io.out(`removed user ${user} from ${store.file}`);
        return 0;
      default:
        return this.verify(store, io, user, fromStdin);
    }
  }

  /** The environment's own store when the component is enabled, else one for this command. */
  private store(env: Environment): HtpasswdFileStore {
    const enabled = env.extensions(PASSWORD_STORE).find((s) => s instanceof HtPasswdStore);
    return (enabled instanceof HtPasswdStore ? enabled : new HtPasswdStore(env)).fileStore();
  }

  private async setPassword(store: HtpasswdFileStore, io: CliIo, subcommand: 'add' | 'passwd',
    user: string, fromStdin: boolean): Promise<number> {
    checkStorableUserName(user);
    const exists = await this.userExists(store, user);
    if (subcommand === 'add' && exists) {
      throw new GatehouseError(AuthBasicErrors.USER_EXISTS, { user, file: store.file });
    }
    if (subcommand === 'passwd' && !exists) {
      throw new GatehouseError(AuthBasicErrors.NO_SUCH_USER, { user, file: store.file });
    }

    const password = await this.readPassword(io, user, fromStdin, true);
    checkStorablePassword(password);
    if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) {
      io.err(`note: bcrypt reads only the first ${BCRYPT_MAX_BYTES} bytes of a password`);
    }
    await store.setPassword(user, password);
    io.out(subcommand === 'add' ? `added user ${user} to ${store.file}`
      : `changed the password of ${user} in ${store.file}`);
    return 0;
  }

  private async verify(store: HtpasswdFileStore, io: CliIo, user: string,
    fromStdin: boolean): Promise<number> {
    if (!(await store.hasUser(user))) {
      throw new GatehouseError(AuthBasicErrors.NO_SUCH_USER, { user, file: store.file });
    }
    const password = await this.readPassword(io, user, fromStdin, false);
    if (await store.checkPassword(user, password)) {
      io.out(`the password of ${user} is correct`);
      return 0;
    }
    io.err(`the password of ${user} is not correct`);
    return 1;
  }

  /** A file that does not exist yet has no users (add creates it). */
  private async userExists(store: HtpasswdFileStore, user: string): Promise<boolean> {
    // Asked before reading, so that creating the file does not log it as missing first.
    if (!fs.existsSync(store.file)) return false;
    return store.hasUser(user);
  }

  private async readPassword(io: CliIo, user: string, fromStdin: boolean,
    confirm: boolean): Promise<string> {
    if (fromStdin) return (await io.readStdin()).replace(/\r?\n$/, '');

    let first: string;
    try {
      first = await io.promptSecret(`Password for ${user}: `);
    } catch {
      throw new GatehouseError(AuthBasicErrors.PASSWORD,
        { reason: 'cannot be asked for without a terminal: pass --password-stdin' });
    }
    if (!confirm) return first;
    const second = await io.promptSecret('Again: ');
    if (first !== second) throw new GatehouseError(AuthBasicErrors.PASSWORD, { reason: 'was typed differently twice' });
    return first;
  }
}
