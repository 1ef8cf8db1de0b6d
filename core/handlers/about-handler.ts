/**
 * `/about`: the version and enabled components for everyone; the configuration and database
 * pool figures only for TRAC_ADMIN (secrets hidden even then).
 */
import { injectable } from 'tsyringe';
import type { RequestContext, RequestHandler } from '../dispatch/types';
import type { GatehouseEnvironment } from '../env/environment';
import { html, sendPage } from '../dispatch/html';
import { gatehouseVersion } from '../paths';
import { listOptions } from '../config/option-listing';

@injectable()
export class AboutHandler implements RequestHandler {
  matches(context: RequestContext): boolean {
    return context.pathInfo === '/about';
  }

  async handle(context: RequestContext): Promise<void> {
    const env = context.env as GatehouseEnvironment;
    const enabled = env.components.filter((component) => component.enabled).map((component) => component.name);
    // CONFIG_VIEW: TRAC_ADMIN implies it, and a site can grant it alone to operators.
    const isAdmin = await context.hasPermission('CONFIG_VIEW');
    const config = isAdmin ? listOptions(env.config, env.optionSpecs) : [];
    const pools = isAdmin ? env.db.poolStatus() : [];
    sendPage(context, {
      title: 'About',
      body: html`<h1>About Gatehouse</h1><p>Version <strong>${gatehouseVersion}</strong>, Node.js ${process.version}.</p>
<h2>Enabled components</h2><ul class="components">${enabled.map((name) => html`<li>${name}</li>`)}</ul>
${isAdmin ? html`<h2>Database</h2><p>${env.db.kind}</p>
${pools.length ? html`<table class="pools"><tr><th>Server</th><th>Poolable</th><th>Max</th><th>Size</th><th>In use</th><th>Idle</th><th>Waiting</th></tr>
${pools.map((pool) => html`<tr><td>${pool.server}</td><td>${pool.poolable ? 'yes' : 'no'}</td><td>${pool.max}</td><td>${pool.size}</td><td>${pool.inUse}</td><td>${pool.idle}</td><td>${pool.waiting}</td></tr>`)}</table>` : ''}
<h2>Configuration</h2><table class="config"><tr><th>Section</th><th>Option</th><th>Value</th></tr>
${config.map((row) => html`<tr><td>${row.section}</td><td>${row.name}</td><td>${row.value}</td></tr>`)}</table>` : ''}`,
    });
  }
}
