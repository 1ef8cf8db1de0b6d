import type { ComponentRegistration } from '../components/plugin';
import type { OptionSpec } from '../config/options';
import { ADMIN_COMMAND, PERMISSION_POLICY, PERMISSION_REQUESTOR } from '../components/tokens';
import { DefaultPermissionPolicy } from './default-policy';
import { PermissionSystemActions } from './core-actions';
import { PermissionAdminCommand } from './permission-command';
import { PermissionOptions } from './options';

/** This area's core components and the options they declare (wired by core/core-plugin.ts). */
export const components: ComponentRegistration[] = [
  { name: 'DefaultPermissionPolicy', class: DefaultPermissionPolicy, provides: [PERMISSION_POLICY] },
  { name: 'PermissionSystemActions', class: PermissionSystemActions, provides: [PERMISSION_REQUESTOR] },
  { name: 'PermissionAdminCommand', class: PermissionAdminCommand, provides: [ADMIN_COMMAND] },
];
export const options: OptionSpec[] = Object.values(PermissionOptions);
