/**
 * `/chrome/<prefix>/<path>`: static media (design.md, "Files"). The path is mapped to a file
 * from the raw, still-encoded request path, so no decoded `..` or `%2f` can lead out of the
 * folder; small files come from the environment's memory cache.
 */
import { inject, injectable } from 'tsyringe';
import { ENVIRONMENT } from '../components/tokens';
import type { RequestContext, RequestHandler } from '../dispatch/types';
import type { Environment } from '../env/types';
import { GatehouseError, isGatehouseError } from '../errors';
import { FileErrors } from '../files/errors';
import { fileCacheFor } from '../files/env-file-cache';
import { ResolvedPaths } from '../files/resolved-paths';
import { sendFile } from '../files/send-file';
import { chromeRoot } from './chrome-roots';

const PREFIX = '/chrome/';

@injectable()
export class ChromeHandler implements RequestHandler {
  private readonly resolved = new ResolvedPaths();

  constructor(@inject(ENVIRONMENT) private readonly env: Environment) {}

  matches(context: RequestContext): boolean {
    return context.pathInfo.startsWith(PREFIX);
  }

  async handle(context: RequestContext): Promise<void> {
    const raw = context.rawPathInfo;
    // A prefix spelled with escapes (`/chrom%65/`) is not the chrome folder.
    if (!raw.startsWith(PREFIX)) throw this.notFound(context);

    const rest = raw.slice(PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) throw this.notFound(context);
    const root = chromeRoot(this.env, decodeURIComponent(rest.slice(0, slash)));
    if (!root) throw this.notFound(context);

    const subPath = rest.slice(slash + 1);
    const filePath = await this.resolved.resolve(root, subPath);
    try {
      await sendFile(context, filePath, { cache: fileCacheFor(this.env) });
    } catch (error) {
      if (isGatehouseError(error) && error.code === FileErrors.NOT_FOUND.code) {
        this.resolved.forget(root, subPath);
      }
      throw error;
    }
  }

  private notFound(context: RequestContext): GatehouseError {
    return new GatehouseError(FileErrors.NOT_FOUND, { path: context.pathInfo });
  }
}
