/**
 * `auth_basic.HtPasswdStore`: the PASSWORD_STORE backed by `[auth-basic] user_file`. One
 * instance per environment; several environments may name the same file (through [inherit]),
 * each keeping its own cache of it.
 */
import { inject, injectable } from 'tsyringe';
import type { PasswordStore } from '../../core/auth/types';
import { ENVIRONMENT } from '../../core/components/tokens';
import type { Environment } from '../../core/env/types';
import { GatehouseError } from '../../core/errors';
import { AuthBasicErrors } from './errors';
import { HtpasswdFileStore } from './htpasswd-file-store';
import {
  allowPlaintextOption, bcryptCostOption, cacheSizeOption, cacheTtlOption, userFileOption,
} from './options';

export const HTPASSWD_STORE_NAME = 'HtPasswdStore';

@injectable()
export class HtPasswdStore implements PasswordStore {
  readonly name = HTPASSWD_STORE_NAME;
  private store: HtpasswdFileStore | undefined;
  private unsetWarned = false;

  constructor(@inject(ENVIRONMENT) private readonly env: Environment) {}

  /**
   * The store for the configured file, made on first use (the environment is reopened when its
   * configuration changes, so the options are read once). Throws GH_ERR_AUTH_BASIC_NO_USER_FILE
   * when `user_file` is unset and GH_ERR_CONFIG_VALUE for a malformed option.
   */
  fileStore(): HtpasswdFileStore {
    if (this.store) return this.store;
    const config = this.env.config;
    const file = config.option(userFileOption);
    if (file === '') {
      if (!this.unsetWarned) {
        this.unsetWarned = true;
        this.env.log.warn({ option: '[auth-basic] user_file' },
          'the htpasswd store has no file: nobody can sign in through it');
      }
      throw new GatehouseError(AuthBasicErrors.NO_USER_FILE);
    }
    this.store = new HtpasswdFileStore({
      file,
      allowPlaintext: config.option(allowPlaintextOption),
      bcryptCost: config.option(bcryptCostOption),
      cacheSize: config.option(cacheSizeOption),
      cacheTtlSeconds: config.option(cacheTtlOption),
      storeName: this.name,
    }, this.env.log.child({ store: this.name }));
    return this.store;
  }

  checkPassword(user: string, password: string): Promise<boolean | null> {
    return this.fileStore().checkPassword(user, password);
  }

  hasUser(user: string): Promise<boolean> {
    return this.fileStore().hasUser(user);
  }

  listUsers(): Promise<string[]> {
    return this.fileStore().listUsers();
  }

  setPassword(user: string, password: string): Promise<boolean> {
    return this.fileStore().setPassword(user, password);
  }

  deleteUser(user: string): Promise<boolean> {
    return this.fileStore().deleteUser(user);
  }
}
