/**
 * The project index at a parent dir's root: each environment's name and description, linked.
 * An environment that fails to open is listed as unavailable, without its path or error (those
 * go to the log); folders that are not environments are never listed.
 */
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Site } from './dispatch';
import { listEnvironmentNames } from '../env/parent-dir';
import { html, layout } from './html';
import { prefersJson } from './error-page';

interface Listing {
  name: string;
  href: string;
  title: string;
  description: string;
  available: boolean;
}

export async function sendProjectIndex(site: Site, request: FastifyRequest, reply: FastifyReply,
  sitePrefix: string): Promise<void> {
  const parentDir = site.options.envParentDir ?? '';
  const names = await listEnvironmentNames(parentDir);
  const listings: Listing[] = await Promise.all(names.map(async (name) => {
    const href = `${sitePrefix}/${encodeURIComponent(name)}/`;
    try {
      const lease = await site.environments.acquire(path.join(parentDir, name), name);
      try {
        return { name, href, title: lease.env.projectName, description: lease.env.projectDescription, available: true };
      } finally {
        lease.release();
      }
    } catch {
      return { name, href, title: name, description: '', available: false };
    }
  }));
  if (prefersJson(request)) {
    reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ projects: listings }));
    return;
  }
  const body = html`<h1>Available projects</h1>
<ul class="projects">${listings.map((item) => html`<li><a href="${item.href}">${item.title}</a>${
    item.available ? (item.description ? html` <span class="description">${item.description}</span>` : '')
      : html` <em>(unavailable)</em>`}</li>`)}</ul>`;
  reply.header('content-type', 'text/html; charset=utf-8').send(layout(undefined, 'Projects', body, 'Projects'));
}
