/**
 * The password store chain (design.md, "Schemes and stores are separate"): every enabled
 * PASSWORD_STORE, in the order `[account-manager] password_store` lists them by name (only those
 * listed), or in registration order when that option is unset. The first store that knows the
 * user decides. A store that cannot answer stops the chain with its error: a later store must not
 * decide for a user the broken one may hold with another password.

 */
import { PASSWORD_STORE } from '../components/tokens';
import type { PasswordStore } from './types';
import type { Environment } from '../env/types';

export interface ChainVerdict {
  /** true: right password; false: wrong password; null: no store knows the user. */
  verdict: boolean | null;
  /** The store that decided. */
  store?: string;
}

/** Names already warned about, per environment, so a typo is reported once. */
const warnedUnknown = new WeakMap<Environment, Set<string>>();

function listedNames(env: Environment): string[] | undefined {
  const raw = env.config.raw('account-manager', 'password_store');
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** The stores of `env`, in chain order. */
export function passwordStores(env: Environment): PasswordStore[] {
  const enabled = env.extensions(PASSWORD_STORE);
  const names = listedNames(env);
  if (!names) return enabled;

  const chain: PasswordStore[] = [];
  for (const name of names) {
    // `HtPasswdStore` or the full component name `auth_basic.HtPasswdStore` both name it.
    const short = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
    const store = enabled.find((candidate) => candidate.name.toLowerCase() === short);
    if (store) {
      if (!chain.includes(store)) chain.push(store);
      continue;
    }
    const warned = warnedUnknown.get(env) ?? new Set<string>();
    if (!warned.has(name)) {
      warned.add(name);
      warnedUnknown.set(env, warned);
      env.log.warn({ store: name, enabled: enabled.map((s) => s.name) },
        `[account-manager] password_store names ${name}, which is not an enabled password store`);
    }
  }
  return chain;
}

/** Asks the chain about one user's password. Throws what a store that cannot answer throws. */
export async function checkPasswordInChain(env: Environment, user: string,
  password: string): Promise<ChainVerdict> {
  for (const store of passwordStores(env)) {
    const verdict = await store.checkPassword(user, password);
    if (verdict !== null) return { verdict, store: store.name };
  }
  return { verdict: null };
}
