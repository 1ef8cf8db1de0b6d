/**
 * Finds and loads plugins: built-in ones (plugins/<name>/ of this checkout), an environment's
 * own plugins/ folder and the folder named by `[inherit] plugins_dir`. A plugin that fails to
 * load is reported with its path and error; the environment still serves.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PluginDefinition } from './plugin';
import type { PluginOrigin } from './rules';
import { compiledRoot } from '../paths';
import { allowPluginFolder } from './external-require';

export interface LoadedPlugin {
  definition: PluginDefinition;
  origin: PluginOrigin;
  /** The file it was loaded from. */
  path: string;
}

export interface PluginLoadFailure {
  path: string;
  error: string;
}

function definitionOf(exported: unknown): PluginDefinition | undefined {
  const candidates = [exported, (exported as { default?: unknown })?.default,
    (exported as { plugin?: unknown })?.plugin];
  for (const candidate of candidates) {
    const value = candidate as Partial<PluginDefinition> | undefined;
    if (value && typeof value === 'object' && typeof value.name === 'string' && Array.isArray(value.components)) {
      return value as PluginDefinition;
    }
  }
  return undefined;
}

/** The entry file of a plugin folder or single-file plugin, or undefined if it has none. */
function entryOf(candidate: string): string | undefined {
  const stat = fs.statSync(candidate, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (stat.isFile()) return /\.(c?js)$/.test(candidate) ? candidate : undefined;
  if (!stat.isDirectory()) return undefined;
  for (const name of ['index.js', 'index.cjs']) {
    const entry = path.join(candidate, name);
    if (fs.existsSync(entry)) return entry;
  }
  return undefined;
}

function forgetCachedModules(folder: string): void {
  const prefix = path.resolve(folder) + path.sep;
  for (const key of Object.keys(require.cache)) if (key.startsWith(prefix)) delete require.cache[key];
}

function loadFolder(folder: string, origin: PluginOrigin, failures: PluginLoadFailure[],
  freshCopy: boolean): LoadedPlugin[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
  if (origin !== 'builtin') allowPluginFolder(folder);
  if (freshCopy) forgetCachedModules(folder);
  const loaded: LoadedPlugin[] = [];
  for (const name of names) {
    const entry = entryOf(path.join(folder, name));
    if (!entry) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const definition = definitionOf(require(entry));
      if (!definition) {
        failures.push({ path: entry, error: 'it exports no plugin definition (name and components)' });
        continue;
      }
      loaded.push({ definition, origin, path: entry });
    } catch (error) {
      failures.push({ path: entry, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return loaded;
}

let builtinCache: { plugins: LoadedPlugin[]; failures: PluginLoadFailure[] } | undefined;

/** Built-in plugins never change while the process runs: loaded once. */
export function loadBuiltinPlugins(): { plugins: LoadedPlugin[]; failures: PluginLoadFailure[] } {
  if (!builtinCache) {
    const failures: PluginLoadFailure[] = [];
    const plugins = loadFolder(path.join(compiledRoot, 'plugins'), 'builtin', failures, false);
    builtinCache = { plugins, failures };
  }
  return builtinCache;
}

/**
 * An environment's plugins/ folder and the shared plugins_dir, loaded fresh each time the
 * environment opens so an updated plugin takes effect on reload.
 */
export function loadSitePlugins(envPath: string, sharedDir: string | undefined):
  { plugins: LoadedPlugin[]; failures: PluginLoadFailure[] } {
  const failures: PluginLoadFailure[] = [];
  const plugins = loadFolder(path.join(envPath, 'plugins'), 'environment', failures, true);
  if (sharedDir) plugins.push(...loadFolder(sharedDir, 'shared', failures, true));
  return { plugins, failures };
}
