/**
 * Step 4 of the request lifecycle (design.md): the authenticators in order, the first to name a
 * user wins; one that throws is logged by name and counts as a pass; then the login module's
 * trac_auth cookie. Synchronous until an authenticator or the cookie lookup really waits.
 */
import type { GatehouseEnvironment } from '../env/environment';
import type { GatehouseRequestContext } from './context';
import { sendError } from './error-page';
import { AUTHENTICATOR } from '../components/tokens';
import { LoginModule } from '../auth/login-module';
import { normalizeUserName } from '../auth/normalize';
import type { AuthenticationResult, Authenticator } from '../auth/types';
import { fromPlugin, isPromise, type MaybePromise } from './maybe-async';

/** Each environment's login module, resolved once (null when core.LoginModule is disabled). */
const loginModules = new WeakMap<object, LoginModule | null>();

function loginModuleOf(env: GatehouseEnvironment): LoginModule | null {
  let module = loginModules.get(env);
  if (module === undefined) {
    module = env.container.isRegistered(LoginModule, false) ? env.container.resolve(LoginModule) : null;
    loginModules.set(env, module);
  }
  return module;
}

/**
 * true to go on (the user is set, or anonymous), false when an authenticator already answered
 * with a challenge.
 */
export function authenticate(context: GatehouseRequestContext): MaybePromise<boolean> {
  const authenticators = context.env.extensions(AUTHENTICATOR);
  for (let i = 0; i < authenticators.length; i += 1) {
    const result = authenticatorResult(authenticators[i], context);
    if (isPromise(result)) return authenticateFrom(context, authenticators, i, result);
    const decided = applyResult(context, authenticators[i], result);
    if (decided !== undefined) return decided;
  }
  return checkCookie(context);
}

/** The rest of `authenticate` once authenticator `from` is waiting for `pending`. */
async function authenticateFrom(context: GatehouseRequestContext, authenticators: Authenticator[], from: number,
  pending: Promise<AuthenticationResult | undefined>): Promise<boolean> {
  for (let i = from; i < authenticators.length; i += 1) {
    const result = i === from ? await pending : await authenticatorResult(authenticators[i], context);
    const decided = applyResult(context, authenticators[i], result);
    if (decided !== undefined) return decided;
  }
  return checkCookie(context);
}

/** true: signed in; false: a challenge was sent; undefined: ask the next authenticator. */
function applyResult(context: GatehouseRequestContext, authenticator: Authenticator,
  result: AuthenticationResult | undefined): boolean | undefined {
  if (result?.kind === 'user') {
    if (typeof result.user !== 'string' || result.user === '') {
      // A scheme that says "a user" without naming one is broken; nobody signs in through it.
      return authenticatorFailed(authenticator, context, new Error('it named no user'));
    }
    context.user = normalizeUserName(result.user, context.env.config);
    context.authenticatedBy = authenticator.name;
    return true;
  }
  // Anything but a user or a challenge (a pass, or a result this version does not know) lets
  // the next authenticator decide.
  if (result?.kind !== 'challenge') return undefined;
  const status = Number.isInteger(result.status) && result.status >= 400 && result.status < 600 ? result.status : 401;
  sendError(context.request, context.reply, context, {
    status, code: result.code ?? 'GH_ERR_AUTH_REQUIRED', message: result.message ?? 'authentication required',
    headers: result.headers ?? {},
  });
  return false;
}

/** No scheme named a user: a valid trac_auth cookie may. */
function checkCookie(context: GatehouseRequestContext): MaybePromise<boolean> {
  const loginModule = loginModuleOf(context.env);
  if (!loginModule) return true;
  const found = loginModule.userFromCookie(context);
  if (isPromise(found)) return found.then((user) => signedInByCookie(context, user));
  return signedInByCookie(context, found);
}

function signedInByCookie(context: GatehouseRequestContext, user: string | undefined): true {
  if (user) {
    context.user = user;
    context.authenticatedBy = 'cookie';
  }
  return true;
}

/** One authenticator's answer; one that throws is logged by name and counts as a pass. */
function authenticatorResult(authenticator: Authenticator, context: GatehouseRequestContext)
  : MaybePromise<AuthenticationResult | undefined> {
  try {
    const result = fromPlugin(authenticator.authenticate(context));
    return isPromise(result) ? result.catch((error: unknown) => authenticatorFailed(authenticator, context, error))
      : result;
  } catch (error) {
    return authenticatorFailed(authenticator, context, error);
  }
}

function authenticatorFailed(authenticator: Authenticator, context: GatehouseRequestContext, error: unknown): undefined {
  context.log.error({ authenticator: authenticator.name, err: error },
    'authenticator failed; the request continues as anonymous');
  return undefined;
}
