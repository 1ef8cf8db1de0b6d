/** The environment's home page: project name, description and sign-in state. */
import { injectable } from 'tsyringe';
import type { RequestContext, RequestHandler } from '../dispatch/types';
import { html, sendPage } from '../dispatch/html';

@injectable()
export class HomeHandler implements RequestHandler {
  matches(context: RequestContext): boolean {
    return context.pathInfo === '/' && (context.method === 'GET' || context.method === 'HEAD');
  }

  async handle(context: RequestContext): Promise<void> {
    const env = context.env;
    const signedIn = context.user !== 'anonymous';
    sendPage(context, {
      title: env.projectName,
      body: html`<h1>${env.projectName}</h1>
${env.projectDescription ? html`<p class="description">${env.projectDescription}</p>` : ''}
<p>${signedIn ? html`You are signed in as <strong class="user">${context.user}</strong>.`
    : html`You are not signed in. <a href="${context.href('/login')}">Sign in</a>`}</p>
<p><a href="${context.href('/about')}">About this server</a></p>`,
    });
  }
}
