/**
 * The base-64 alphabet of crypt(3) (`./0-9A-Za-z`), which is not RFC 4648's: MD5-crypt,
 * SHA-crypt and DES crypt all print their digests with it.
 */
export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Writes `count` characters from a 24-bit group, least significant six bits first, the order
 * MD5-crypt and SHA-crypt use.
 */
export function encodeGroup(high: number, middle: number, low: number, count: number): string {
  let value = (high << 16) | (middle << 8) | low;
  let text = '';
  for (let i = 0; i < count; i += 1) {
    text += CRYPT_ALPHABET[value & 0x3f];
    value >>>= 6;
  }
  return text;
}

/** Writes a digest as groups of three byte indices (the scheme's fixed permutation). */
export function encodeDigest(digest: Buffer, groups: ReadonlyArray<readonly number[]>): string {
  let text = '';
  for (const group of groups) {
    // A group of fewer than three indices is the short tail: missing high bytes count as zero.
    const bytes = group.map((index) => digest[index]);
    while (bytes.length < 3) bytes.unshift(0);
    text += encodeGroup(bytes[0], bytes[1], bytes[2], group.length + 1);
  }
  return text;
}

/**
 * Whether the system crypt(3) (libxcrypt) takes this salt for MD5- or SHA-crypt: printable
 * ASCII except the characters that separate fields in password files.
 */
export function isCryptSaltText(salt: string): boolean {
  return /^[\x21-\x7e]*$/.test(salt) && !/[$:;*!\\]/.test(salt);
}
