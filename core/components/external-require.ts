/**
 * Lets a site's own plugin, living in an environment's plugins/ folder far from our
 * node_modules, `require('gatehouse')` for the plugin API and load the same copies of tsyringe
 * and reflect-metadata the core uses (two copies would mean two separate DI registries).
 */
import Module from 'node:module';
import path from 'node:path';
import { compiledRoot, projectRoot } from '../paths';

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;

const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };
const pluginFolders = new Set<string>();
let installed = false;

/** Marks a folder whose modules may resolve Gatehouse's own packages. */
export function allowPluginFolder(folder: string): void {
  pluginFolders.add(path.resolve(folder) + path.sep);
  install();
}

function isInPluginFolder(parent: unknown): boolean {
  const filename = (parent as { filename?: string } | undefined)?.filename;
  if (!filename) return false;
  for (const folder of pluginFolders) if (filename.startsWith(folder)) return true;
  return false;
}

function install(): void {
  if (installed) return;
  installed = true;
  const original = moduleInternals._resolveFilename;
  const apiEntry = path.join(compiledRoot, 'core', 'plugin-api.js');
  moduleInternals._resolveFilename = function resolveForPlugins(request, parent, isMain, options) {
    if (request === 'gatehouse' || request === '@gatehouse/api') return apiEntry;
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (error) {
      if (!isInPluginFolder(parent) || request.startsWith('.') || path.isAbsolute(request)) throw error;
      return original.call(this, request, { filename: path.join(projectRoot, 'package.json'),
        paths: [path.join(projectRoot, 'node_modules')] }, isMain, { paths: [projectRoot] });
    }
  };
}
