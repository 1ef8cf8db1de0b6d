/**
 * MD5-crypt (Poul-Henning Kamp's FreeBSD scheme). Apache's `htpasswd -m` writes it with the magic
 * `$apr1$`; the system crypt(3) knows the same algorithm as `$1$`. Only the magic differs, and it
 * is hashed in, so the two never match each other.
 */
import { createHash } from 'node:crypto';
import { encodeDigest, isCryptSaltText } from './crypt-base64';

export type Md5CryptMagic = '$apr1$' | '$1$';

/** Byte order of the printed digest: five groups of three, then byte 11 alone. */
const OUTPUT_GROUPS = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5], [11]];

const md5 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/**
 * Hashes `password` with the salt of `setting` (`$apr1$salt$...` or `$1$salt$...`); returns the
 * full string to compare with the stored one, or null when the setting is not MD5-crypt.
 */
export function md5Crypt(password: Buffer, setting: string): string | null {
  const magic: Md5CryptMagic | null = setting.startsWith('$apr1$') ? '$apr1$'
    : setting.startsWith('$1$') ? '$1$' : null;
  if (!magic) return null;

  // The salt runs to the next `$`, at most eight characters.
  const rest = setting.slice(magic.length);
  const end = rest.indexOf('$');
  const saltText = (end === -1 ? rest : rest.slice(0, end)).slice(0, 8);
  // Apache takes any salt bytes for `$apr1$`; the system crypt(3) refuses odd ones for `$1$`.
  if (magic === '$1$' && !isCryptSaltText(saltText)) return null;
  const salt = Buffer.from(saltText, 'utf8');
  const magicBytes = Buffer.from(magic, 'latin1');

  // Step 1: an alternate digest of password, salt, password.
  const alternate = md5(password, salt, password);

  // Step 2: the main digest: password, magic, salt, then the alternate digest for as many
  // bytes as the password has, then one byte per bit of the password length.
  const main = createHash('md5');
  main.update(password).update(magicBytes).update(salt);
  for (let left = password.length; left > 0; left -= 16) {
    main.update(alternate.subarray(0, Math.min(left, 16)));
  }
  const zero = Buffer.alloc(1);
  const first = password.length > 0 ? password.subarray(0, 1) : zero;
  for (let bits = password.length; bits > 0; bits >>>= 1) {
    main.update(bits & 1 ? zero : first);
  }
  let digest = main.digest();

  // Step 3: a thousand rounds that mix password, salt and the previous digest.
  for (let round = 0; round < 1000; round += 1) {
    const hash = createHash('md5');
    hash.update(round & 1 ? password : digest);
    if (round % 3 !== 0) hash.update(salt);
    if (round % 7 !== 0) hash.update(password);
    hash.update(round & 1 ? digest : password);
    digest = hash.digest();
  }

  return `${magic}${saltText}$${encodeDigest(digest, OUTPUT_GROUPS)}`;
}
