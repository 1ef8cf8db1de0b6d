/**
 * Recognising and checking the password hashes that Apache 2.4's `htpasswd` writes, deciding as
 * Apache on Linux decides (apr_password_validate, then the system crypt(3) for the rest).
 *
 * A stored value with a known hash shape is only ever checked as that hash, so sending the
 * stored hash itself as the password never works. Plain text is a separate, opt-in format.
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../core/auth/constant-time';
import { bcryptVerify } from './hashes/bcrypt';
import { bsdiIterations, looksLikeBsdiCrypt, looksLikeDesCrypt, MAX_BSDI_ITERATIONS } from './hashes/des-crypt';
import { parseShaCryptSetting } from './hashes/sha-crypt';
import { cryptOffThread } from './hashes/crypt-pool';

export type HashFormat =
  | 'bcrypt' | 'apr1-md5' | 'md5-crypt' | 'sha1' | 'sha256-crypt' | 'sha512-crypt' | 'des-crypt'
  | 'bsdi-des-crypt'
  | 'plaintext'
  /** A hash shape we recognise but do not check (yescrypt, scrypt, `{SSHA}`...): never matches. */
  | 'unsupported';

/** bcrypt: cost 04..31, 22 salt and 31 digest characters, both ending on a canonical character. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{21}[.Oeu][./A-Za-z0-9]{30}[.CGKOSWaeimquy26]$/;
const SHA1 = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;
/** `{SSHA}`, `{MD5}` and such: LDAP-style schemes Apache does not read, never plain text. */
const BRACED_SCHEME = /^\{[A-Za-z0-9-]+\}/;

export function classifyStoredHash(stored: string): HashFormat {
  if (stored.startsWith('$2a$') || stored.startsWith('$2b$') || stored.startsWith('$2y$')) return 'bcrypt';
  if (stored.startsWith('$apr1$')) return 'apr1-md5';
  if (stored.startsWith('$1$')) return 'md5-crypt';
  if (stored.startsWith('$5$')) return 'sha256-crypt';
  if (stored.startsWith('$6$')) return 'sha512-crypt';
  if (stored.startsWith('{SHA}')) return 'sha1';
  if (looksLikeBsdiCrypt(stored)) return 'bsdi-des-crypt';
  if (stored.startsWith('$') || BRACED_SCHEME.test(stored)) return 'unsupported';
  if (looksLikeDesCrypt(stored)) return 'des-crypt';
  return 'plaintext';
}

/**
 * Whether a stored hash of a checked format is well formed; one that is not can never match
 * (Apache's own check compares whole strings), and the store warns about its line.
 */
export function isWellFormedHash(stored: string, format: HashFormat): boolean {
  switch (format) {
    case 'bcrypt': return BCRYPT.test(stored);
    case 'sha1': return SHA1.test(stored);
    case 'sha256-crypt':
    case 'sha512-crypt': return parseShaCryptSetting(stored) !== null && /\$[./0-9A-Za-z]+$/.test(stored);
    case 'apr1-md5':
    case 'md5-crypt': return /^\$(apr)?1\$[^$]{0,8}\$[./0-9A-Za-z]{22}$/.test(stored);
    case 'des-crypt':
    case 'plaintext': return stored.length > 0;
    case 'bsdi-des-crypt': {
      const count = bsdiIterations(stored);
      return /^_[./0-9A-Za-z]{19}$/.test(stored) && count !== null && count > 0 && count <= MAX_BSDI_ITERATIONS;
    }
    case 'unsupported': return false;
  }
}

export interface VerifyOptions {
  /** Compare plain-text entries (off by default, as Apache on Linux never accepts them). */
  allowPlaintext: boolean;
}

/** Checks `password` (its UTF-8 bytes) against one stored htpasswd value. */
export async function verifyStoredHash(password: string | Buffer, stored: string,
  options: VerifyOptions): Promise<boolean> {
  const bytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  // A C program reads a password only up to NUL; rather than guess what the sender meant, refuse.
  if (bytes.includes(0)) return false;

  const format = classifyStoredHash(stored);
  if (!isWellFormedHash(stored, format)) return false;
  switch (format) {
    case 'bcrypt':
      // Runs on libuv's thread pool, off the event loop; reads at most 72 bytes, as Apache.
      return bcryptVerify(bytes, stored);
    // The crypt(3) family runs on worker threads: a SHA-crypt hash with many rounds, or DES,
    // would otherwise stall every other request while it is computed.
    case 'apr1-md5':
    case 'md5-crypt':
      return matches(await cryptOffThread('md5', bytes, stored), stored);
    case 'sha256-crypt':
    case 'sha512-crypt':
      return matches(await cryptOffThread('sha', bytes, stored), stored);
    case 'des-crypt':
      return matches(await cryptOffThread('des', bytes, stored), stored);
    case 'bsdi-des-crypt':
      return matches(await cryptOffThread('bsdi', bytes, stored), stored);
    case 'sha1':
      return matches(`{SHA}${createHash('sha1').update(bytes).digest('base64')}`, stored);
    case 'plaintext':
      return options.allowPlaintext && constantTimeEqual(bytes, Buffer.from(stored, 'utf8'));
    case 'unsupported':
      return false;
  }
}

function matches(computed: string | null, stored: string): boolean {
  return computed !== null && constantTimeEqual(computed, stored);
}
