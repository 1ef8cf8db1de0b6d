/** Options the permission system reads. */
import { defineOption } from '../config/options';

export const PermissionOptions = {
  policies: defineOption({
    section: 'trac', name: 'permission_policies', type: 'list',
    default: ['DefaultPermissionPolicy'],
    doc: 'Permission policies asked in this order; the first to allow or deny decides, and an '
      + 'action no policy allows is denied.',
  }),
} as const;
