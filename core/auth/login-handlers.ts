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

/**
 * The local path to return to after signing in: the `referer` parameter or header when it
 * points inside this environment (same origin, under its base path, not /login or /logout);
 * otherwise the environment's home. Never another site, never a sibling environment.
 */
export function safeReturnPath(context: RequestContext, candidate: string | undefined): string {
  const home = context.href('/');
  if (!candidate || candidate.includes('\\') || /[\0-\x1f]/.test(candidate)) return home;
  let target: URL;
  const origin = `${context.scheme}://${context.host}`;
  try {
    target = new URL(candidate, `${origin}/`);
  } catch {
    return home;
  }
  const configured = context.env.config.raw('trac', 'base_url');
  const allowedOrigins = new Set([origin]);
  if (configured) {
    try {
      allowedOrigins.add(new URL(configured).origin);
    } catch {
      // A malformed base_url only narrows what is accepted.
    }
  }
  if (!allowedOrigins.has(target.origin)) return home;
  const base = context.basePath;
  if (base && target.pathname !== base && !target.pathname.startsWith(`${base}/`)) return home;
  const below = target.pathname.slice(base.length) || '/';
  if (/^\/(login|logout)(\/|$)/.test(below)) return home;
  return `${target.pathname}${target.search}`;
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
    const back = safeReturnPath(ctx, ctx.query.get('referer') ?? String(ctx.request.headers.referer ?? ''));
    if (ctx.authenticatedBy !== 'cookie') {
      await this.loginModule.signIn(ctx, ctx.user);
      ctx.log.info({ user: ctx.user, scheme: ctx.authenticatedBy }, 'signed in');
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
      ctx.log.info({ user: ctx.user }, 'signed out');
      ctx.reply.code(303).header('location', ctx.href('/')).header('cache-control', 'no-store').send();
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
<p>Signed in as <strong>${ctx.user}</strong>.</p><button type="submit">Sign out</button></form>`,
    });
  }
}
