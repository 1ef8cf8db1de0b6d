/**
 * The core's own components, registered like a plugin's (names `core.<Name>`, on unless
 * `[components]` disables them). It registers after the plugins, so a plugin's request handler
 * can take over a core path (account-manager's login form answers /login before the core).
 */
import { definePlugin, type ComponentRegistration } from './components/plugin';
import { REQUEST_HANDLER } from './components/tokens';
import { LoginModule } from './auth/login-module';
import { LoginHandler, LogoutHandler } from './auth/login-handlers';
import { HomeHandler } from './handlers/home-handler';
import { AboutHandler } from './handlers/about-handler';
import { HealthHandler } from './handlers/health-handler';
import * as perm from './perm/components';
import * as files from './files/components';
import * as attachments from './attachments/components';
import * as db from './db/components';
import * as config from './config/components';

const dispatchComponents: ComponentRegistration[] = [
  { name: 'LoginModule', class: LoginModule, provides: [] },
  { name: 'LoginHandler', class: LoginHandler, provides: [REQUEST_HANDLER] },
  { name: 'LogoutHandler', class: LogoutHandler, provides: [REQUEST_HANDLER] },
  { name: 'HomeHandler', class: HomeHandler, provides: [REQUEST_HANDLER] },
  { name: 'AboutHandler', class: AboutHandler, provides: [REQUEST_HANDLER] },
  { name: 'HealthHandler', class: HealthHandler, provides: [REQUEST_HANDLER] },
];

export const corePlugin = definePlugin({
  name: 'core',
  description: 'Gatehouse core: sign-in sessions, permissions, files, built-in pages',
  components: [...db.components, ...dispatchComponents, ...perm.components, ...files.components,
    ...attachments.components],
  options: [...config.options, ...db.options, ...perm.options, ...files.options, ...attachments.options],
});
