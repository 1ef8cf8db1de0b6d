/**
 * Interfaces (extension points) as DI tokens. A component lists the tokens it provides; an
 * environment's child container resolves every enabled provider of a token, in a stable order
 * (built-in plugins, then site plugins, in load order, then the core's own components last, so a
 * plugin's handler can take over a core path; within each, declaration order).
 */
import type { InjectionToken } from 'tsyringe';
import type { Environment } from '../env/types';
import type { RequestHandler } from '../dispatch/types';
import type { Authenticator, GroupProvider, PasswordStore } from '../auth/types';
import type { PermissionPolicy, PermissionRequestor } from '../perm/types';
import type { DatabaseBackend } from '../db/types';
import type { AdminCommand } from '../cli/types';
import type { EnvironmentSetupParticipant } from '../env/types';

/** The environment a component belongs to: inject it with `@inject(ENVIRONMENT)`. */
export const ENVIRONMENT: InjectionToken<Environment> = Symbol.for('gatehouse.Environment');

export const REQUEST_HANDLER: InjectionToken<RequestHandler> = Symbol.for('gatehouse.RequestHandler');
/** HTTP schemes (Basic, Digest, Negotiate). The login module's cookie check runs after them. */
export const AUTHENTICATOR: InjectionToken<Authenticator> = Symbol.for('gatehouse.Authenticator');
export const PASSWORD_STORE: InjectionToken<PasswordStore> = Symbol.for('gatehouse.PasswordStore');
export const GROUP_PROVIDER: InjectionToken<GroupProvider> = Symbol.for('gatehouse.GroupProvider');
export const PERMISSION_REQUESTOR: InjectionToken<PermissionRequestor> =
  Symbol.for('gatehouse.PermissionRequestor');
export const PERMISSION_POLICY: InjectionToken<PermissionPolicy> = Symbol.for('gatehouse.PermissionPolicy');
export const DATABASE_BACKEND: InjectionToken<DatabaseBackend> = Symbol.for('gatehouse.DatabaseBackend');
export const ADMIN_COMMAND: InjectionToken<AdminCommand> = Symbol.for('gatehouse.AdminCommand');
/** Components that own tables: they create them at initenv and upgrade them. */
export const SETUP_PARTICIPANT: InjectionToken<EnvironmentSetupParticipant> =
  Symbol.for('gatehouse.EnvironmentSetupParticipant');
