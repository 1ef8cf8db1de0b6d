import type { RequestContext } from '../dispatch/types';

/** What an HTTP scheme decided about a request. */
export type AuthenticationResult =
  /** Credentials checked: this is the user (before normalisation). */
  | { kind: 'user'; user: string }
  /**
   * This path needs credentials and the request has none that work: answer now with this status
   * (401 with a challenge, 400 for a malformed header, 503 when the store is down).
   */
  | { kind: 'challenge'; status: number; headers: Record<string, string | string[]>; message: string; code?: string }
  /** Not this scheme's path or no credentials for it: ask the next authenticator. */
  | { kind: 'pass' };

export interface Authenticator {
  /** Short name for logs (`basic`). */
  readonly name: string;
  /**
   * A value when the answer is known at once (not this scheme's path, say), a promise when it
   * must wait (a password check): the request path awaits only real waits.
   */
  authenticate(context: RequestContext): AuthenticationResult | Promise<AuthenticationResult>;
  /**
   * Whether this scheme answers on `/login`; when no enabled authenticator or login handler
   * does, `/login` says authentication is not configured.
   */
  protectsLogin?(): boolean;
}

/**
 * Where passwords are checked. Stores are chained in the order `[account-manager]
 * password_store` lists (registration order when unset): the first store that knows the user
 * decides.
 */
export interface PasswordStore {
  /** The name `[account-manager] password_store` uses (`HtPasswdStore`). */
  readonly name: string;
  /**
   * true: right password; false: known user, wrong password; null: this store does not know
   * the user. Throws GH_ERR_AUTH_STORE_UNAVAILABLE when the store cannot answer (missing file,
   * dead server): the caller answers 503 rather than letting anyone in.
   */
  checkPassword(user: string, password: string): Promise<boolean | null>;
  hasUser(user: string): Promise<boolean>;
  listUsers(): Promise<string[]>;
  /** Creates or changes a user; returns true when the user was created. */
  setPassword?(user: string, password: string): Promise<boolean>;
  /** Returns false when there was no such user. */
  deleteUser?(user: string): Promise<boolean>;
}

/** Answers group membership, so a path can require a group whatever the scheme. */
export interface GroupProvider {
  groupsOf(user: string): Promise<string[]>;
}
