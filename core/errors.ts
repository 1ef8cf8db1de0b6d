/**
 * One registry of error conditions. Every error a site owner or client can see carries a stable
 * code (`GH_ERR_<AREA>_<WHAT>`), an HTTP status and a message template; docs/errors.md lists them.
 * Plugins register their own codes with `defineError` at module load.
 */

export interface ErrorDefinition {
  code: string;
  status: number;
  /** Message template; `{name}` placeholders are filled from the details object. */
  template: string;
}

const registry = new Map<string, ErrorDefinition>();

export function defineError(code: string, status: number, template: string): ErrorDefinition {
  const existing = registry.get(code);
  if (existing) return existing;
  const definition = { code, status, template };
  registry.set(code, definition);
  return definition;
}

export function listErrors(): ErrorDefinition[] {
  return [...registry.values()].sort((a, b) => a.code.localeCompare(b.code));
}

function fill(template: string, details: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in details ? String(details[key]) : whole);
}

export class GatehouseError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(definition: ErrorDefinition, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(fill(definition.template, details), options);
    this.name = 'GatehouseError';
    this.code = definition.code;
    this.status = definition.status;
    this.details = details;
  }
}

export function isGatehouseError(error: unknown): error is GatehouseError {
  return error instanceof GatehouseError;
}

/** Core error codes. Plugins define theirs beside their code. */
export const Errors = {
  CONFIG_SYNTAX: defineError('GH_ERR_CONFIG_SYNTAX', 500,
    '{file} line {line}: {problem}'),
  CONFIG_VALUE: defineError('GH_ERR_CONFIG_VALUE', 500,
    '{file} [{section}] {key} = "{value}": expected {expected}'),
  CONFIG_UNREADABLE: defineError('GH_ERR_CONFIG_UNREADABLE', 500,
    'cannot read configuration file {file}: {reason}'),
  ENV_NOT_FOUND: defineError('GH_ERR_ENV_NOT_FOUND', 404,
    'no project environment named "{name}" here'),
  ENV_NOT_ENVIRONMENT: defineError('GH_ERR_ENV_NOT_ENVIRONMENT', 500,
    '{path} is not a Gatehouse environment (no conf/trac.ini)'),
  ENV_OPEN_FAILED: defineError('GH_ERR_ENV_OPEN_FAILED', 500,
    'environment {name} could not be opened: {reason}'),
  ENV_EXISTS: defineError('GH_ERR_ENV_EXISTS', 500,
    '{path} already exists and is not empty; choose a new folder'),
  ENV_NONE_CONFIGURED: defineError('GH_ERR_ENV_NONE_CONFIGURED', 500,
    'no environment configured: pass --env PATH or --env-parent-dir DIR'),
  HTTP_NOT_FOUND: defineError('GH_ERR_HTTP_NOT_FOUND', 404, 'no handler matches {path}'),
  HTTP_BAD_REQUEST: defineError('GH_ERR_HTTP_BAD_REQUEST', 400, '{reason}'),
  HTTP_METHOD: defineError('GH_ERR_HTTP_METHOD', 405, '{method} is not allowed on {path}'),
  HTTP_BODY_TOO_LARGE: defineError('GH_ERR_HTTP_BODY_TOO_LARGE', 413,
    'the request body is larger than the {limit} bytes allowed here'),
  HTTP_INTERNAL: defineError('GH_ERR_HTTP_INTERNAL', 500,
    'internal error; the server log has the details under request id {requestId}'),
  ACCESS_DENIED_NETWORK: defineError('GH_ERR_ACCESS_DENIED_NETWORK', 403,
    'requests from {address} are not allowed on {path}'),
  FORM_TOKEN: defineError('GH_ERR_FORM_TOKEN', 400,
    'missing or invalid form token; reload the page and submit again (cookies must be enabled)'),
  AUTH_NOT_CONFIGURED: defineError('GH_ERR_AUTH_NOT_CONFIGURED', 500,
    'authentication is not configured: enable a scheme plugin such as auth_basic for /login'),
  AUTH_STORE_UNAVAILABLE: defineError('GH_ERR_AUTH_STORE_UNAVAILABLE', 503,
    'the password store {store} is unavailable: {reason}'),
  PERM_DENIED: defineError('GH_ERR_PERM_DENIED', 403,
    '{action} privileges are required to perform this operation on {resource}'),
  PERM_UNKNOWN_ACTION: defineError('GH_ERR_PERM_UNKNOWN_ACTION', 400,
    '{action} is not a valid action{hint}'),
  DB_URI: defineError('GH_ERR_DB_URI', 500,
    'malformed database connection string "{uri}": {reason}'),
  DB_BACKEND_MISSING: defineError('GH_ERR_DB_BACKEND_MISSING', 500,
    'no database backend for "{scheme}:" is enabled; enable the db_pool plugin in [components]'),
  DB_UNAVAILABLE: defineError('GH_ERR_DB_UNAVAILABLE', 503,
    'the database is unavailable: {reason}'),
  DB_NEEDS_UPGRADE: defineError('GH_ERR_DB_NEEDS_UPGRADE', 503,
    'the environment database needs an upgrade: run gatehouse-admin {path} upgrade'),
  PLUGIN_LOAD: defineError('GH_ERR_PLUGIN_LOAD', 500, 'plugin {path} failed to load: {reason}'),
  CLI_USAGE: defineError('GH_ERR_CLI_USAGE', 2, '{message}'),
} as const;
