/**
 * User-name normalisation, run before anything else sees the name: `[trac] strip_domain`
 * removes `DOMAIN\` and `@REALM`; `[trac] ignore_auth_case` folds to lower case.
 */
import type { ConfigView } from '../config/types';
import { Options } from '../env/env-options';

export function normalizeUserName(name: string, config: ConfigView): string {
  let user = name.trim();
  if (config.option(Options.stripDomain)) {
    const backslash = user.lastIndexOf('\\');
    if (backslash >= 0) user = user.slice(backslash + 1);
    const at = user.indexOf('@');
    if (at > 0) user = user.slice(0, at);
  }
  if (config.option(Options.ignoreAuthCase)) user = user.toLowerCase();
  return user;
}
