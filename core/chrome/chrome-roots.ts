/**
 * Where each `/chrome/<prefix>/` is served from: `common` is the media Gatehouse ships,
 * `site` the environment's own htdocs/, any other prefix the folder an enabled plugin declared.
 */
import path from 'node:path';
import type { Environment } from '../env/types';
import { projectRoot } from '../paths';

/**
 * The shipped media. Compiled code runs from dist/, which holds JavaScript only, so the
 * folder is found in the source tree beside package.json.
 */
export const commonHtdocs = path.join(projectRoot, 'core', 'chrome', 'htdocs');

/** The folder behind a chrome prefix, or undefined when nothing is served there. */
export function chromeRoot(env: Environment, prefix: string): string | undefined {
  if (prefix === 'common') return commonHtdocs;
  if (prefix === 'site') return path.join(env.path, 'htdocs');
  return env.chromeDirs.get(prefix);
}

/** Every prefix with its folder, common and site first (for deploy). */
export function chromeRoots(env: Environment): Array<[prefix: string, folder: string]> {
  const roots: Array<[string, string]> = [['common', commonHtdocs], ['site', path.join(env.path, 'htdocs')]];
  for (const [name, folder] of env.chromeDirs) {
    if (name !== 'common' && name !== 'site') roots.push([name, folder]);
  }
  return roots;
}
