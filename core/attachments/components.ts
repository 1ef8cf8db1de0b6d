import type { ComponentRegistration } from '../components/plugin';
import { ADMIN_COMMAND, PERMISSION_REQUESTOR, REQUEST_HANDLER } from '../components/tokens';
import type { OptionSpec } from '../config/options';
import { AttachmentAdminCommand } from './attachment-command';
import { AttachmentModule } from './attachment-module';
import { attachmentOptions } from './attachment-options';
import { AttachmentPermissions } from './attachment-permissions';

/** This area's core components and the options they declare (wired by core/core-plugin.ts). */
export const components: ComponentRegistration[] = [
  { name: 'AttachmentModule', class: AttachmentModule, provides: [REQUEST_HANDLER] },
  { name: 'AttachmentPermissions', class: AttachmentPermissions, provides: [PERMISSION_REQUESTOR] },
  { name: 'AttachmentAdminCommand', class: AttachmentAdminCommand, provides: [ADMIN_COMMAND] },
];
export const options: OptionSpec[] = attachmentOptions;
