/**
 * `/login` and `/logout`. A scheme (Basic, Digest, Negotiate) has already authenticated the
 * request when `/login` is reached; the handler turns that into a session and sends the user
 * back to the page they came from, inside this environment only.
 */
import { inject, injectable } from 'tsyringe';
import type { Environment } from '../env/types';
import type { RequestContext, RequestHandler } from '../dispatch/types';
import type { GatehouseRequestContext } from '../dispatch/context';
import { ENVIRONMENT } from '../components/tokens';
import { LoginModule } from './login-module';
import { Errors, GatehouseError } from '../errors';
import { html, sendPage } from '../dispatch/html';
import { readUrlEncodedForm } from '../dispatch/forms';

/** The path below `prefix` ('/...'), or undefined when `pathname` is not under it. */
function below(pathname: string, prefix: string): string | undefined {
  const base = prefix.replace(/\/+$/, '');
  if (!base) return pathname;
  if (pathname === base) return '/';
  return pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : undefined;
}

/**
 * Where to return after signing in, as a path below this environment (`/wiki/Page?v=2`): the
 * `referer` parameter or header when it points inside this environment, either as this request
 * sees it (same origin, under its base path) or as `[trac] base_url` names it (what a browser
 * behind a proxy sends). Never another site, never a sibling environment, never /login or
 * /logout; otherwise the environment's home, `/`.
 */
export function safeReturnPath(context: RequestContext, candidate: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!candidate || candidate.includes('\\') || /[\0-\x1f]/.test(candidate)) return '/';
  const origin = `${context.scheme}://${context.host}`;
  let target: URL;
  try {
    target = new URL(candidate, `${origin}/`);
  } catch {
    return '/';
  }
  let rest = target.origin === origin ? below(target.pathname, context.basePath) : undefined;
  const configured = context.env.config.raw('trac', 'base_url');
  if (rest === undefined && configured) {
    try {
      const base = new URL(configured);
      if (base.origin === target.origin) rest = below(target.pathname, base.pathname);
    } catch {
      // A malformed base_url only narrows what is accepted.
    }
  }
  if (rest === undefined || rest.startsWith('//') || /^\/(login|logout)(\/|$)/.test(rest)) return '/';
  return `${rest}${target.search}`;
}

@injectable()
export class LoginHandler implements RequestHandler {
  constructor(@inject(ENVIRONMENT) private readonly env: Environment,
    @inject(LoginModule) private readonly loginModule: LoginModule) {}

  matches(context: RequestContext): boolean {
    return context.pathInfo === '/login';
  }

  async handle(context: RequestContext): Promise<void> {
    const ctx = context as GatehouseRequestContext;
    if (ctx.user === 'anonymous') throw new GatehouseError(Errors.AUTH_NOT_CONFIGURED);
    const back = ctx.redirectUrl(
      safeReturnPath(ctx, ctx.query.get('referer') ?? String(ctx.request.headers.referer ?? '')));
    if (ctx.authenticatedBy !== 'cookie') {
      await this.loginModule.signIn(ctx, ctx.user);
      ctx.log.info({ scheme: ctx.authenticatedBy }, 'signed in');  // the context's logger names the user
    }
    ctx.reply.code(303).header('location', back).header('cache-control', 'no-store').send();
  }
}

@injectable()
export class LogoutHandler implements RequestHandler {
  constructor(@inject(ENVIRONMENT) private readonly env: Environment,
    @inject(LoginModule) private readonly loginModule: LoginModule) {}

  matches(context: RequestContext): boolean {
    return context.pathInfo === '/logout';
  }

  async handle(context: RequestContext): Promise<void> {
    const ctx = context as GatehouseRequestContext;
    if (ctx.method === 'POST') {
      const form = await readUrlEncodedForm(ctx);
      ctx.verifyFormToken(form.get('__FORM_TOKEN') ?? undefined);
      await this.loginModule.signOut(ctx);
      ctx.log.info('signed out');  // the context's logger names the user
      ctx.reply.code(303).header('location', ctx.redirectUrl('/')).header('cache-control', 'no-store').send();
      return;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw new GatehouseError(Errors.HTTP_METHOD, { method: ctx.method, path: ctx.pathInfo });
    }
    sendPage(ctx, {
      title: 'Sign out',
      body: html`<h1>Sign out</h1>
<form method="post" action="${ctx.href('/logout')}">
<input type="hidden" name="__FORM_TOKEN" value="${ctx.formToken()}">
${ctx.user === 'anonymous' ? html`<p>You are not signed in.</p>`
    : html`<p>Signed in as <strong>${ctx.user}</strong>.</p>`}<button type="submit">Sign out</button></form>`,
    });
  }
}
