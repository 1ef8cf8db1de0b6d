/** Error codes of the auth-basic plugin; docs/auth-basic.md lists each with what to do. */
import { defineError } from '../../core/errors';

export const AuthBasicErrors = {
  NO_USER_FILE: defineError('GH_ERR_AUTH_BASIC_NO_USER_FILE', 503,
    '[auth-basic] user_file is not set: name the htpasswd file there '
    + '(gatehouse-admin ENV config set auth-basic user_file PATH)'),
  USER_NAME: defineError('GH_ERR_AUTH_BASIC_USER_NAME', 400,
    'that user name cannot be stored in an htpasswd file: {reason}'),
  PASSWORD: defineError('GH_ERR_AUTH_BASIC_PASSWORD', 400, 'the password {reason}'),
  USER_EXISTS: defineError('GH_ERR_AUTH_BASIC_USER_EXISTS', 409,
    'user {user} already exists in {file}; use "user passwd {user}" to change the password'),
  NO_SUCH_USER: defineError('GH_ERR_AUTH_BASIC_NO_SUCH_USER', 404, 'no user {user} in {file}'),
  /** A malformed Authorization header; the status (400 or 431) comes with each answer. */
  MALFORMED: defineError('GH_ERR_AUTH_BASIC_MALFORMED', 400, '{reason}'),
} as const;
