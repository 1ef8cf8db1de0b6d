/**
 * `auth_basic.BasicAuthenticator`: HTTP Basic (RFC 7617) on the paths `[auth-basic] paths`
 * names, checked against the environment's password store chain. Elsewhere it passes, so the
 * login module's cookie and the other schemes decide.
 *
 * It never throws: the dispatcher lets a request through as anonymous when an authenticator
 * fails, and on a protected path that would open the door. Every fault becomes an answer.
 */
import { inject, injectable } from 'tsyringe';
import type { AuthenticationResult, Authenticator } from '../../core/auth/types';
import { normalizeUserName } from '../../core/auth/normalize';
import { ENVIRONMENT } from '../../core/components/tokens';
import type { RequestContext } from '../../core/dispatch/types';
import type { Environment } from '../../core/env/types';
import { isGatehouseError } from '../../core/errors';
import {
  isUnderPath, normalizeProtectedPath, parseRequireRule, satisfiesRule, type RequireRule,
} from './access-rule';
import { basicChallenge, parseBasicAuthorization } from './basic-credentials';
import { AuthBasicErrors } from './errors';
import { pathsOption, realmOption, requireOption } from './options';
import { checkPasswordInChain } from '../../core/auth/password-chain';

interface Settings {
  realm: string;
  paths: string[];
  rule: RequireRule;
}

const PASS: AuthenticationResult = { kind: 'pass' };

@injectable()
export class BasicAuthenticator implements Authenticator {
  readonly name = 'basic';
  private settings: Settings | undefined;

  constructor(@inject(ENVIRONMENT) private readonly env: Environment) {}

  /** Read once: the environment is reopened when its configuration changes. */
  private read(): Settings {
    if (this.settings) return this.settings;
    const config = this.env.config;
    const file = config.sourceOf?.('auth-basic', 'require') ?? config.files[0] ?? 'trac.ini';
    this.settings = {
      realm: config.option(realmOption),
      paths: config.option(pathsOption).map(normalizeProtectedPath),
      rule: parseRequireRule(config.option(requireOption), file),
    };
    return this.settings;
  }

  protectsLogin(): boolean {
    try {
      return this.read().paths.some((path) => isUnderPath('/login', path));
    } catch {
      // A malformed option is reported by authenticate(), on the request that needs it.
      return true;
    }
  }

  /** Off the protected paths it passes at once, without a promise: that is most requests. */
  authenticate(context: RequestContext): AuthenticationResult | Promise<AuthenticationResult> {
    let settings: Settings;
    try {
      settings = this.read();
    } catch (error) {
      context.log.error({ err: error }, 'auth-basic is misconfigured: nobody can sign in');
      return this.failure(500, error);
    }
    if (!settings.paths.some((path) => isUnderPath(context.pathInfo, path))) return PASS;
    return this.checkCredentials(context, settings);
  }

  private async checkCredentials(context: RequestContext, settings: Settings): Promise<AuthenticationResult> {
    const challenge = (message: string): AuthenticationResult => ({
      kind: 'challenge', status: 401, message, code: 'GH_ERR_AUTH_REQUIRED',
      headers: { 'www-authenticate': basicChallenge(settings.realm) },
    });

    const credentials = parseBasicAuthorization(context.request.headers.authorization);
    if (credentials.kind === 'absent') {
      return challenge('This page needs a user name and password.');
    }
    if (credentials.kind === 'malformed') {
      context.log.info({ clientAddress: context.remoteAddress, reason: credentials.reason },
        'malformed Basic credentials');
      return { kind: 'challenge', status: credentials.status, headers: {},
        message: credentials.reason, code: AuthBasicErrors.MALFORMED.code };
    }

    const { user, password } = credentials;
    const refuse = (reason: string) => {
      // A level an owner can alert on; the password never appears.
      context.log.warn({ user, clientAddress: context.remoteAddress, scheme: 'basic', reason },
        'sign-in failed');
      return challenge('The user name or password is not right.');
    };
    if (user === '') return refuse('empty user name');

    try {
      const { verdict } = await checkPasswordInChain(this.env, user, password);
      if (verdict === null) return refuse('unknown user');
      if (!verdict) return refuse('wrong password');

      const names = [user, normalizeUserName(user, this.env.config)];
      if (!(await satisfiesRule(this.env, settings.rule, names))) {
        return refuse('not allowed by [auth-basic] require');
      }
    } catch (error) {
      return this.failure(isGatehouseError(error) && error.status === 503 ? 503 : 500, error, context);
    }

    context.log.debug({ user }, 'Basic credentials accepted');
    return { kind: 'user', user };
  }

  private failure(status: number, error: unknown, context?: RequestContext): AuthenticationResult {
    if (status !== 503) context?.log.error({ err: error }, 'Basic authentication failed');
    const known = isGatehouseError(error);
    return {
      kind: 'challenge', status, headers: status === 503 ? { 'retry-after': '30' } : {},
      message: known ? error.message : 'authentication failed; the server log has the details',
      code: known ? error.code : 'GH_ERR_HTTP_INTERNAL',
    };
  }
}
