/** The environment's home page: project name, description and sign-in state. */
import { injectable } from 'tsyringe';
import type { RequestContext, RequestHandler } from '../dispatch/types';
import { html, renderPage, sendRenderedPage } from '../dispatch/html';

/**
 * What the rendered pages may hold; beyond it the memory starts again empty. Bytes as well as
 * pages: behind a trusted proxy the base path comes from X-Forwarded-Prefix, which a client may
 * make kilobytes long, and it appears in every link of the page.
 */
const MAX_RENDERED_PAGES = 1000;
const MAX_RENDERED_CHARS = 2 * 1024 * 1024;

@injectable()
export class HomeHandler implements RequestHandler {
  /**
   * Rendered pages by base path, then user. The page shows only what stays fixed while the
   * environment is open (its name and description come from trac.ini, and a change there opens
   * a new environment with a new handler), so each user's page is rendered once. Two levels,
   * not one joined key: both strings are reused from request to request, so looking them up
   * costs no new string.
   */
  private readonly rendered = new Map<string, Map<string, string>>();
  private renderedCount = 0;
  private renderedChars = 0;

  matches(context: RequestContext): boolean {
    return context.pathInfo === '/' && (context.method === 'GET' || context.method === 'HEAD');
  }

  handle(context: RequestContext): void {
    let byUser = this.rendered.get(context.basePath);
    let page = byUser?.get(context.user);
    if (page === undefined) {
      page = this.render(context);
      if (this.renderedCount >= MAX_RENDERED_PAGES || this.renderedChars + page.length > MAX_RENDERED_CHARS) {
        this.rendered.clear();
        this.renderedCount = 0;
        this.renderedChars = 0;
      }
      byUser = this.rendered.get(context.basePath);
      if (!byUser) {
        byUser = new Map();
        this.rendered.set(context.basePath, byUser);
      }
      byUser.set(context.user, page);
      this.renderedCount += 1;
      this.renderedChars += page.length + context.basePath.length + context.user.length;
    }
    sendRenderedPage(context, page);
  }

  private render(context: RequestContext): string {
    const env = context.env;
    const signedIn = context.user !== 'anonymous';
    return renderPage(context, {
      title: env.projectName,
      body: html`<h1>${env.projectName}</h1>
${env.projectDescription ? html`<p class="description">${env.projectDescription}</p>` : ''}
<p>${signedIn ? html`You are signed in as <strong class="user">${context.user}</strong>.`
    : html`You are not signed in. <a href="${context.href('/login')}">Sign in</a>`}</p>
<p><a href="${context.href('/about')}">About this server</a></p>`,
    });
  }
}
