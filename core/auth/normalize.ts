/**
 * User-name normalisation, run before anything else sees the name: `[trac] strip_domain`
 * removes `DOMAIN\` and `@REALM`; `[trac] ignore_auth_case` folds to lower case.
 */
import type { ConfigView } from '../config/types';
import { Options } from '../env/env-options';

export function normalizeUserName(name: string, config: ConfigView): string {
  // Never trimmed: `alice ` is another user in an htpasswd file, and folding it into `alice`
  // after its password was checked would let whoever owns `alice ` act as alice.
  let user = name;
  if (config.option(Options.stripDomain)) {
    const backslash = user.lastIndexOf('\\');
    if (backslash >= 0) user = user.slice(backslash + 1);
    const at = user.indexOf('@');
    if (at > 0) user = user.slice(0, at);
  }
  if (config.option(Options.ignoreAuthCase)) user = user.toLowerCase();
  return user;
}
