/** The `[auth-basic]` options. docs/auth-basic.md explains each for site owners. */
import { defineOption } from '../../core/config/options';

const section = 'auth-basic';

export const realmOption = defineOption({ section, name: 'realm', type: 'text', default: 'Trac',
  doc: 'Realm shown in the browser\'s password prompt (the Basic challenge\'s realm).' });

export const userFileOption = defineOption({ section, name: 'user_file', type: 'path', default: '',
  doc: 'The htpasswd file (made by Apache\'s htpasswd or by `gatehouse-admin ENV user`); '
    + 'a relative path is read from the folder of the trac.ini that sets it (conf/, as Trac). '
    + 'Unset: the store is unavailable and Basic answers 503.' });

export const pathsOption = defineOption({ section, name: 'paths', type: 'list', default: ['/login'],
  doc: 'Paths where Basic authentication is asked for; `/` protects the whole site, `/login` '
    + 'covers /login and everything below it.' });

export const requireOption = defineOption({ section, name: 'require', type: 'text',
  default: 'valid-user',
  doc: 'Who may sign in on those paths: `valid-user`, `user NAME...` or `group GROUP...` '
    + '(permission groups and group providers).' });

export const allowPlaintextOption = defineOption({ section, name: 'allow_plaintext', type: 'bool',
  default: false,
  doc: 'Accept plain-text entries in the htpasswd file (Apache on Linux never does).' });

export const bcryptCostOption = defineOption({ section, name: 'bcrypt_cost', type: 'int',
  default: 10, min: 4, max: 31,
  doc: 'bcrypt cost for passwords written by `gatehouse-admin ENV user` and the store '
    + '(each step doubles the work); also the cost an unknown user\'s check spends.' });

export const cacheSizeOption = defineOption({ section, name: 'cache_size', type: 'int',
  default: 1000, min: 0,
  doc: 'Successful password checks remembered (keyed hash, never the password); 0 turns the '
    + 'verification cache off.' });

export const cacheTtlOption = defineOption({ section, name: 'cache_ttl', type: 'int',
  default: 300, min: 0,
  doc: 'Seconds a remembered successful check is trusted; 0 turns the verification cache off.' });

export const authBasicOptions = [realmOption, userFileOption, pathsOption, requireOption,
  allowPlaintextOption, bcryptCostOption, cacheSizeOption, cacheTtlOption];
