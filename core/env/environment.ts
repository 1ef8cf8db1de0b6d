/**
 * Opening one environment: its configuration, its plugins and enabled components in a child DI
 * container of its own, its database and its permission system. Everything hangs off the
 * returned object, so two environments in one process never share mutable state.
 */
import 'reflect-metadata';
import path from 'node:path';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { Environment, EnvironmentSetupParticipant } from './types';
import type { ConfigView } from '../config/types';
import type { Database } from '../db/types';
import type { Logger } from '../log';
import type { PermissionSystem } from '../perm/types';
import type { OptionSpec } from '../config/options';
import { loadConfig } from '../config/config';
import { ENVIRONMENT, DATABASE_BACKEND, SETUP_PARTICIPANT } from '../components/tokens';
import { parseComponentRules, isComponentEnabled, type ComponentRules } from '../components/rules';
import { pluginPrefix } from '../components/plugin';
import { loadBuiltinPlugins, loadSitePlugins, type LoadedPlugin, type PluginLoadFailure } from '../components/plugin-loader';
import { corePlugin } from '../core-plugin';
import { openDatabase } from '../db/open-database';
import { createPermissionSystem } from '../perm/permission-system';
import { coreOptions } from './env-options';

export interface ComponentInfo {
  /** `auth_basic.HtPasswdStore` */
  name: string;
  plugin: string;
  origin: LoadedPlugin['origin'];
  enabled: boolean;
}

export class GatehouseEnvironment implements Environment {
  readonly container: DependencyContainer;
  readonly chromeDirs = new Map<string, string>();
  readonly components: ComponentInfo[] = [];
  readonly pluginFailures: PluginLoadFailure[] = [];
  readonly optionSpecs: OptionSpec[] = [];
  private readonly enabledNames = new Set<string>();
  private readonly extensionCache = new Map<unknown, unknown[]>();
  private readonly closers: Array<() => void | Promise<void>> = [];
  private database: Database | undefined;
  private permissionSystem: PermissionSystem | undefined;
  private closed = false;

  constructor(readonly path: string, readonly name: string, readonly config: ConfigView,
    readonly log: Logger, readonly plugins: LoadedPlugin[], readonly rules: ComponentRules) {
    this.container = rootContainer.createChildContainer();
    this.container.register(ENVIRONMENT, { useValue: this });
  }

  private cachedLogName: string | undefined;

  /** What log lines call it: its name under a parent dir, else its folder's name. */
  get logName(): string {
    this.cachedLogName ??= this.name || path.basename(this.path);
    return this.cachedLogName;
  }

  get db(): Database {
    if (!this.database) throw new Error('the environment database is not open yet');
    return this.database;
  }

  get perm(): PermissionSystem {
    this.permissionSystem ??= createPermissionSystem(this);
    return this.permissionSystem;
  }

  // The configuration never changes under an open environment (a change reopens it), so the
  // values every page shows are read once.
  private cachedName: string | undefined;
  private cachedDescription: string | undefined;

  get projectName(): string {
    this.cachedName ??= this.config.raw('project', 'name') || path.basename(this.path);
    return this.cachedName;
  }

  get projectDescription(): string {
    this.cachedDescription ??= this.config.raw('project', 'descr') ?? '';
    return this.cachedDescription;
  }

  extensions<T>(token: InjectionToken<T>): T[] {
    let found = this.extensionCache.get(token) as T[] | undefined;
    if (!found) {
      found = this.container.isRegistered(token, false) ? this.container.resolveAll(token) : [];
      this.extensionCache.set(token, found);
    }
    return found;
  }

  isComponentEnabled(componentName: string): boolean {
    return this.enabledNames.has(componentName.toLowerCase());
  }

  onClose(closer: () => void | Promise<void>): void {
    this.closers.push(closer);
  }

  /** Registers every enabled component of every plugin, core first, in a stable order. */
  registerComponents(): void {
    for (const plugin of this.plugins) {
      const prefix = pluginPrefix(plugin.definition.name);
      let anyEnabled = false;
      this.optionSpecs.push(...(plugin.definition.options ?? []));
      for (const registration of plugin.definition.components) {
        const name = `${prefix}.${registration.name}`;
        const enabled = isComponentEnabled(this.rules, name, plugin.origin);
        this.components.push({ name, plugin: plugin.definition.name, origin: plugin.origin, enabled });
        if (!enabled) continue;
        anyEnabled = true;
        this.enabledNames.add(name.toLowerCase());
        if (!this.container.isRegistered(registration.class, false)) {
          this.container.registerSingleton(registration.class);
        }
        for (const token of registration.provides) {
          this.container.register(token, { useToken: registration.class });
        }
      }
      if (anyEnabled && plugin.definition.chromeDir) {
        this.chromeDirs.set(plugin.definition.name, plugin.definition.chromeDir);
      }
    }
  }

  async openDatabase(): Promise<void> {
    const uri = this.config.raw('trac', 'database') || 'sqlite:db/trac.db';
    this.database = await openDatabase(uri, { envPath: this.path, config: this.config, log: this.log },
      this.extensions(DATABASE_BACKEND));
  }

  /** Components that own tables (the schema code installs the core's first). */
  setupParticipants(): EnvironmentSetupParticipant[] {
    return this.extensions(SETUP_PARTICIPANT);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const closer of this.closers.reverse()) {
      try {
        await closer();
      } catch (error) {
        this.log.warn({ err: error }, 'a component failed to release its resources');
      }
    }
    try {
      await this.database?.close();
    } finally {
      this.container.clearInstances();
    }
  }
}

export interface OpenOptions {
  name: string;
  log: Logger;
  /** Open the database too (the CLI's initenv creates it first). */
  withDatabase?: boolean;
}

/** Reads trac.ini, loads plugins and registers components; opens the database unless told not to. */
export async function openEnvironment(envPath: string, options: OpenOptions): Promise<GatehouseEnvironment> {
  const absolute = path.resolve(envPath);
  const config = await loadConfig(path.join(absolute, 'conf', 'trac.ini'), { envPath: absolute });
  const log = options.log.child({ env: options.name || path.basename(absolute) });
  const builtin = loadBuiltinPlugins();
  const sharedDir = config.raw('inherit', 'plugins_dir');
  const site = loadSitePlugins(absolute, sharedDir ? path.resolve(absolute, 'conf', sharedDir) : undefined);
  const plugins: LoadedPlugin[] = [
    ...builtin.plugins, ...site.plugins,
    { definition: corePlugin, origin: 'core', path: __filename },
  ];
  const rules = parseComponentRules(config.section('components'));
  const env = new GatehouseEnvironment(absolute, options.name, config, log, plugins, rules);
  env.optionSpecs.push(...coreOptions);
  env.pluginFailures.push(...builtin.failures, ...site.failures);
  for (const failure of env.pluginFailures) {
    log.error({ pluginPath: failure.path, reason: failure.error, code: 'GH_ERR_PLUGIN_LOAD' },
      'plugin failed to load; the environment serves without it');
  }
  env.registerComponents();
  if (options.withDatabase !== false) {
    try {
      await env.openDatabase();
    } catch (error) {
      await env.close();
      throw error;
    }
  }
  return env;
}
