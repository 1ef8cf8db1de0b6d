/**
 * The plugin API. A plugin is a folder whose entry module (`index.ts`/`index.js`) exports a
 * `PluginDefinition` as its default export (or as `plugin`). Built-in plugins live in
 * `plugins/<name>/`; a site's own go in an environment's `plugins/` folder or in the folder named
 * by `[inherit] plugins_dir`.
 *
 * Component names are `<plugin>.<ComponentName>` with the plugin folder's dashes as underscores
 * (`auth_basic.HtPasswdStore`); `[components]` rules match those names.
 */
import type { InjectionToken } from 'tsyringe';
import type { OptionSpec } from '../config/options';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ComponentClass<T = unknown> = new (...args: any[]) => T;

export interface ComponentRegistration {
  /** Name within the plugin, e.g. `HtPasswdStore`. */
  name: string;
  /**
   * The class; constructed once per environment by that environment's tsyringe child container.
   * Mark it `@injectable()` and take dependencies with explicit `@inject(TOKEN)` (the
   * environment is `ENVIRONMENT`), since not every compiler emits decorator metadata.
   */
  class: ComponentClass;
  /** The interfaces it implements (tokens from core/components/tokens). */
  provides: InjectionToken<unknown>[];
}

export interface PluginDefinition {
  /** The plugin's name; for built-ins, the folder name (`auth-basic`). */
  name: string;
  description?: string;
  components: ComponentRegistration[];
  /** Options its components read, for `config list` and the docs. */
  options?: OptionSpec[];
  /** A folder served at `/chrome/<name>/` (absolute, usually `path.join(__dirname, 'htdocs')`). */
  chromeDir?: string;
}

/** Identity helper that gives plugin authors type checking. */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition;
}

/** `auth-basic` -> `auth_basic`: the component-name prefix of a plugin. */
export function pluginPrefix(pluginName: string): string {
  return pluginName.replace(/-/g, '_');
}
