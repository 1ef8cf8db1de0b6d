/**
 * Traditional crypt(3) with DES, as `htpasswd -d` writes it: 13 characters, a two-character salt
 * then 11 of digest. Written here from FIPS 46-3 (the DES tables) and the classic crypt(3)
 * construction, because node:crypto offers no single DES by default and the salt changes DES's
 * expansion table anyway. Only the first 8 password bytes count, each shifted left one bit, so
 * the top bit of every byte is lost: that is what Apache on Linux accepts too.
 *
 * Speed is no concern: 25 DES encryptions of bit arrays take well under a millisecond.
 */
import { CRYPT_ALPHABET } from './crypt-base64';

// FIPS 46-3 tables, 1-based bit positions as printed in the standard.
const INITIAL_PERMUTATION = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
  62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
  61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7];
const FINAL_PERMUTATION = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
  38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
  36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
  34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25];
const EXPANSION = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
  16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1];
const PERMUTATION = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
  2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PERMUTED_CHOICE_1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27,
  19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
  14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4];
const PERMUTED_CHOICE_2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32];
const KEY_SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S_BOXES = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

type Bits = Uint8Array;

function permute(input: Bits, table: readonly number[]): Bits {
  const out = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i += 1) out[i] = input[table[i] - 1];
  return out;
}

function bitsOf(bytes: Uint8Array): Bits {
  const bits = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < bits.length; i += 1) bits[i] = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
  return bits;
}

/** The 16 round keys of a 64-bit key (bit array). */
function keySchedule(key: Bits): Bits[] {
  const halves = permute(key, PERMUTED_CHOICE_1);
  let left = Array.from(halves.subarray(0, 28));
  let right = Array.from(halves.subarray(28));
  return KEY_SHIFTS.map((shift) => {
    left = [...left.slice(shift), ...left.slice(0, shift)];
    right = [...right.slice(shift), ...right.slice(0, shift)];
    return permute(Uint8Array.from([...left, ...right]), PERMUTED_CHOICE_2);
  });
}

/** One DES encryption of a 64-bit block, with `expansion` standing in for FIPS's E table. */
export function desEncryptBlock(block: Bits, roundKeys: Bits[], expansion: readonly number[]): Bits {
  const state = permute(block, INITIAL_PERMUTATION);
  let left = state.subarray(0, 32);
  let right = state.subarray(32);

  for (const roundKey of roundKeys) {
    const mixed = permute(right, expansion);
    for (let i = 0; i < 48; i += 1) mixed[i] ^= roundKey[i];

    const substituted = new Uint8Array(32);
    for (let box = 0; box < 8; box += 1) {
      const b = mixed.subarray(box * 6, box * 6 + 6);
      const row = (b[0] << 1) | b[5];
      const column = (b[1] << 3) | (b[2] << 2) | (b[3] << 1) | b[4];
      const value = S_BOXES[box][row * 16 + column];
      for (let bit = 0; bit < 4; bit += 1) substituted[box * 4 + bit] = (value >> (3 - bit)) & 1;
    }
    const feistel = permute(substituted, PERMUTATION);

    const nextRight = new Uint8Array(32);
    for (let i = 0; i < 32; i += 1) nextRight[i] = left[i] ^ feistel[i];
    left = right;
    right = nextRight;
  }

  // The last round's halves are not swapped back: R16 comes first.
  const preOutput = new Uint8Array(64);
  preOutput.set(right, 0);
  preOutput.set(left, 32);
  return permute(preOutput, FINAL_PERMUTATION);
}

/** Plain DES of an 8-byte block with an 8-byte key (for checking against FIPS test vectors). */
export function desEncrypt(key: Uint8Array, block: Uint8Array): Buffer {
  return Buffer.from(bytesOfBits(desEncryptBlock(bitsOf(block), keySchedule(bitsOf(key)), EXPANSION)));
}

const DES_HASH = /^[./0-9A-Za-z]{13}$/;
const BSDI_HASH = /^_[./0-9A-Za-z]{19}$/;

/** Whether a stored value is shaped like a DES crypt hash (the format has no prefix). */
export function looksLikeDesCrypt(stored: string): boolean {
  return DES_HASH.test(stored);
}

/** Whether a stored value is shaped like a BSDi extended DES hash (`_`, count, salt, digest). */
export function looksLikeBsdiCrypt(stored: string): boolean {
  return BSDI_HASH.test(stored);
}

/** Little-endian six-bit digits of the crypt alphabet (`..` is 0, `/.` is 1). */
function decodeCount(text: string): number {
  let value = 0;
  for (let i = 0; i < text.length; i += 1) value |= CRYPT_ALPHABET.indexOf(text[i]) << (6 * i);
  return value;
}

function bytesOfBits(bits: Bits): Uint8Array {
  const bytes = new Uint8Array(8);
  for (let i = 0; i < 64; i += 1) bytes[i >> 3] |= bits[i] << (7 - (i & 7));
  return bytes;
}

/**
 * The shared core: `iterations` encryptions of the zero block under `key`, with each set bit i
 * of `salt` swapping expansion entries i and i + 24; then the 64 bits as 11 characters, most
 * significant first, padded to 66 bits with zeros.
 */
function saltedDes(key: Uint8Array, salt: number, iterations: number): string {
  const expansion = [...EXPANSION];
  for (let bit = 0; bit < 24; bit += 1) {
    if ((salt >> bit) & 1) [expansion[bit], expansion[bit + 24]] = [expansion[bit + 24], expansion[bit]];
  }
  const roundKeys = keySchedule(bitsOf(key));
  let block: Bits = new Uint8Array(64);
  for (let i = 0; i < iterations; i += 1) block = desEncryptBlock(block, roundKeys, expansion);

  let text = '';
  for (let i = 0; i < 11; i += 1) {
    let value = 0;
    for (let j = 0; j < 6; j += 1) value = (value << 1) | (block[6 * i + j] ?? 0);
    text += CRYPT_ALPHABET[value];
  }
  return text;
}

/**
 * Traditional crypt(3) DES of `password` with the two-character salt at the start of
 * `setting`; null when the salt is not two characters of the crypt alphabet.
 */
export function desCrypt(password: Buffer, setting: string): string | null {
  const salt = setting.slice(0, 2);
  if (!/^[./0-9A-Za-z]{2}$/.test(salt)) return null;

  // The key: up to 8 password bytes (a NUL ends it, as in C), each shifted left one bit.
  const key = new Uint8Array(8);
  for (let i = 0; i < 8 && i < password.length && password[i] !== 0; i += 1) {
    key[i] = (password[i] << 1) & 0xff;
  }
  return salt + saltedDes(key, decodeCount(salt), 25);
}

/**
 * Most iterations of a BSDi hash we compute. This plain DES takes ~150 us a block, so FreeBSD's
 * usual 725 (`_J9..`) costs about what bcrypt does; the format allows 16 million, which would
 * hold a request for a minute.
 */
export const MAX_BSDI_ITERATIONS = 4096;

/** The iteration count of a BSDi setting, or null when it is not one. */
export function bsdiIterations(setting: string): number | null {
  return /^_[./0-9A-Za-z]{8}/.test(setting) ? decodeCount(setting.slice(1, 5)) : null;
}

/**
 * BSDi extended DES (`_CCCCSSSS...`): a 24-bit iteration count and a 24-bit salt, and every
 * password byte counts (each further 8 bytes are folded into the key). Apache never writes it,
 * but on Linux it accepts it through the system crypt(3), so we do too, up to
 * MAX_BSDI_ITERATIONS; null for a count of 0 or above that.
 */
export function bsdiCrypt(password: Buffer, setting: string): string | null {
  const count = bsdiIterations(setting);
  if (count === null || count === 0 || count > MAX_BSDI_ITERATIONS) return null;
  const salt = decodeCount(setting.slice(5, 9));

  const end = password.indexOf(0) === -1 ? password.length : password.indexOf(0);
  let key: Uint8Array = new Uint8Array(8);
  for (let i = 0; i < 8 && i < end; i += 1) key[i] = (password[i] << 1) & 0xff;
  // Longer passwords: encrypt the key with itself, then XOR in the next 8 bytes.
  for (let offset = 8; offset < end; offset += 8) {
    key = bytesOfBits(desEncryptBlock(bitsOf(key), keySchedule(bitsOf(key)), EXPANSION));
    for (let i = 0; i < 8 && offset + i < end; i += 1) key[i] ^= (password[offset + i] << 1) & 0xff;
  }
  return setting.slice(0, 9) + saltedDes(key, salt, count);
}
