/**
 * Minimal HTML rendering: a tagged template that escapes every interpolated value unless it is
 * already `SafeHtml`, and the page layout every built-in page shares.
 */
import type { RequestContext } from './types';
import { chromeHref } from '../chrome/chrome-href';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const NEEDS_ESCAPE = /[&<>"']/;

export function escapeHtml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;');
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof SafeHtml) return value.value;
  return escapeHtml(String(value));
}

/** `html\`<p>${userText}</p>\`` escapes userText; nest html`` results freely. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** The project index has no environment to serve media from: a few inline rules instead. */
const INDEX_STYLE = new SafeHtml(`<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222}
header{background:#24364b;padding:.6em 1.2em}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:50em;margin:1.5em auto;padding:0 1.2em}.description{color:#555}</style>`);

export interface PageOptions {
  title: string;
  body: SafeHtml;
  status?: number;
}

/** The shared layout: header with project name and sign-in state, then the page body. */
export function layout(context: RequestContext | undefined, title: string, body: SafeHtml,
  siteTitle?: string): string {
  const chrome = context ? chromeHref(context, 'common/css/gatehouse.css') : '';
  const project = siteTitle ?? context?.env.projectName ?? 'Gatehouse';
  const user = context?.user;
  const signedIn = user !== undefined && user !== 'anonymous';
  // Sign-out is a link to /logout, whose one-button form carries the form token: ordinary
  // pages then need no token, and set no cookie.
  const nav = context === undefined ? '' : signedIn
    ? html`<span class="user">signed in as <strong>${user}</strong></span>
      <a href="${context.href('/logout')}">Sign out</a>`
    : html`<a href="${context.href('/login')}">Sign in</a>`;
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title === project ? project : `${title} – ${project}`}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
${chrome ? html`<link rel="stylesheet" href="${chrome}">` : INDEX_STYLE}</head>
<body><header><a class="project" href="${context ? context.href('/') : '/'}">${project}</a>
<nav>${nav}</nav></header>
<main>${body}</main></body></html>
`.value;
}

/** A full HTML page (the layout around `options.body`), ready to send. */
export function renderPage(context: RequestContext, options: Omit<PageOptions, 'status'>): string {
  return layout(context, options.title, options.body);
}

/**
 * Sends a rendered page. A string, not a Buffer: Node then writes the head and the page as one
 * chunk, which measured cheaper than two.
 */
export function sendRenderedPage(context: RequestContext, page: string, status = 200): void {
  context.reply.code(status).header('content-type', 'text/html; charset=utf-8').send(page);
}

/** Sends a full HTML page through the context's reply. */
export function sendPage(context: RequestContext, options: PageOptions): void {
  sendRenderedPage(context, renderPage(context, options), options.status);
}
