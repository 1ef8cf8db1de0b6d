/**
 * The public plugin API: what `require('gatehouse')` gives a site's own plugin (built-in
 * plugins import the same modules by relative path). See docs/plugins.md.
 */
import 'reflect-metadata';

export { injectable, inject } from 'tsyringe';
export { definePlugin, pluginPrefix } from './components/plugin';
export type { PluginDefinition, ComponentRegistration } from './components/plugin';
export * from './components/tokens';
export { defineOption } from './config/options';
export type { OptionSpec, OptionType } from './config/options';
export type { ConfigView } from './config/types';
export { defineError, GatehouseError, isGatehouseError, Errors } from './errors';
export { html, escapeHtml, sendPage, SafeHtml } from './dispatch/html';
export { readUrlEncodedForm } from './dispatch/forms';
export type { RequestContext, RequestHandler } from './dispatch/types';
export type { Environment, EnvironmentSetupParticipant } from './env/types';
export type { Authenticator, AuthenticationResult, PasswordStore, GroupProvider } from './auth/types';
export type { PermissionPolicy, PermissionRequestor, PermissionSystem } from './perm/types';
export type { Database, Queryable, TableSpec, SqlValue } from './db/types';
export type { AdminCommand, CliIo } from './cli/types';
export type { Logger } from './log';
export { passwordStores, checkPasswordInChain } from './auth/password-chain';
