import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { ConfigView } from '../config/types';
import type { Database, Queryable } from '../db/types';
import type { Logger } from '../log';
import type { PermissionSystem } from '../perm/types';

/**
 * One project environment: a folder with conf/trac.ini, db/, htdocs/, files/, plugins/, log/.
 * Everything about an environment hangs off this object; nothing lives in process globals.
 */
export interface Environment {
  /** Absolute path of the environment folder. */
  readonly path: string;
  /** URL segment under a parent dir; '' for a single environment. */
  readonly name: string;
  readonly config: ConfigView;
  readonly db: Database;
  /** Logger bound to this environment (`env` field). */
  readonly log: Logger;
  readonly container: DependencyContainer;
  readonly perm: PermissionSystem;
  /** `[project] name`, or the folder name when unset. */
  readonly projectName: string;
  readonly projectDescription: string;
  /** Every enabled component providing `token`, in stable order. */
  extensions<T>(token: InjectionToken<T>): T[];
  /** Whether a component (`auth_basic.HtPasswdStore`) is enabled here. */
  isComponentEnabled(componentName: string): boolean;
  /** Folders served at /chrome/<plugin>/ by enabled plugins. */
  readonly chromeDirs: ReadonlyMap<string, string>;
  /**
   * Resources a component opened (watchers, pools, timers) are released with the environment:
   * register a closer here instead of in process-global state.
   */
  onClose(closer: () => void | Promise<void>): void;
}

/** A component that owns tables: creates them at initenv and upgrades them later. */
export interface EnvironmentSetupParticipant {
  /** Key in the `system` table holding this participant's schema version. */
  readonly versionKey: string;
  /** The schema version this code expects. */
  readonly version: number;
  /** Creates tables from nothing (initenv). */
  create(db: Database, tx: Queryable): Promise<void>;
  /** Upgrades from `from` (stored version) to `version`. */
  upgrade(db: Database, tx: Queryable, from: number): Promise<void>;
}
