/**
 * The auth-basic plugin: HTTP Basic (RFC 7617) against Apache htpasswd files, deciding as Apache
 * decides. Enable with `auth_basic.* = enabled` in [components]; see docs/auth-basic.md.
 */
import { definePlugin } from '../../core/components/plugin';
import { ADMIN_COMMAND, AUTHENTICATOR, PASSWORD_STORE } from '../../core/components/tokens';
import { BasicAuthenticator } from './basic-authenticator';
import { HtPasswdStore } from './htpasswd-store';
import { authBasicOptions } from './options';
import { UserAdminCommand } from './user-admin-command';

export default definePlugin({
  name: 'auth-basic',
  description: 'HTTP Basic authentication against Apache htpasswd files',
  components: [
    { name: 'HtPasswdStore', class: HtPasswdStore, provides: [PASSWORD_STORE] },
    { name: 'UserAdminCommand', class: UserAdminCommand, provides: [ADMIN_COMMAND] },
    { name: 'BasicAuthenticator', class: BasicAuthenticator, provides: [AUTHENTICATOR] },
  ],
  options: authBasicOptions,
});
