/** Links to chrome media, honouring `[trac] htdocs_location` for the shipped media. */
import type { RequestContext } from '../dispatch/types';
import { HTDOCS_LOCATION } from './chrome-options';

/**
 * The URL of a chrome resource: `chromeHref(context, 'common/css/gatehouse.css')`. With
 * `[trac] htdocs_location` set, `common/...` resources point there (as in Trac); everything
 * else, and everything when it is empty, is served by this environment under /chrome/.
 */
export function chromeHref(context: RequestContext, resource: string): string {
  const relative = resource.replace(/^\/+/, '');
  const location = context.env.config.option(HTDOCS_LOCATION).trim().replace(/\/+$/, '');
  if (location !== '' && relative.startsWith('common/')) {
    return `${location}/${relative.slice('common/'.length)}`;
  }
  return context.href(`/chrome/${relative}`);
}
