/**
 * SHA-256 and SHA-512 crypt (`$5$`, `$6$`), from Ulrich Drepper's published specification
 * ("Unix crypt using SHA-256 and SHA-512"). Apache's `htpasswd -2` / `-5` write them; Apache on
 * Linux checks them through the system crypt(3) (libxcrypt), whose stricter reading of the
 * `rounds=` field we follow: no leading zero, 1000 to 999,999,999, else the hash never matches.
 */
import { createHash } from 'node:crypto';
import { encodeDigest, isCryptSaltText } from './crypt-base64';

interface Variant {
  algorithm: 'sha256' | 'sha512';
  digestLength: number;
  groups: ReadonlyArray<readonly number[]>;
}

/** The specification's byte permutation for printing each digest. */
const SHA256: Variant = {
  algorithm: 'sha256',
  digestLength: 32,
  groups: [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5],
    [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29], [31, 30]],
};
const SHA512: Variant = {
  algorithm: 'sha512',
  digestLength: 64,
  groups: [[0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26],
    [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32],
    [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38],
    [18, 39, 60], [40, 61, 19], [62, 20, 41], [63]],
};

const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
const MAX_SALT = 16;

interface Setting {
  variant: Variant;
  prefix: string;
  rounds: number;
  /** Whether `rounds=` was written, and so must be written back. */
  explicitRounds: boolean;
  salt: string;
}

/** Reads `$5$[rounds=N$]salt[$...]`; null when it is not a setting libxcrypt would take. */
export function parseShaCryptSetting(setting: string): Setting | null {
  const prefix = setting.slice(0, 3);
  const variant = prefix === '$5$' ? SHA256 : prefix === '$6$' ? SHA512 : null;
  if (!variant) return null;

  let rest = setting.slice(3);
  let rounds = DEFAULT_ROUNDS;
  let explicitRounds = false;
  const roundsField = /^rounds=([^$]*)\$/.exec(rest);
  if (rest.startsWith('rounds=')) {
    if (!roundsField || !/^[1-9][0-9]{0,9}$/.test(roundsField[1])) return null;
    rounds = Number(roundsField[1]);
    if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) return null;
    explicitRounds = true;
    rest = rest.slice(roundsField[0].length);
  }

  const end = rest.indexOf('$');
  const salt = (end === -1 ? rest : rest.slice(0, end)).slice(0, MAX_SALT);
  if (!isCryptSaltText(salt)) return null;
  return { variant, prefix, rounds, explicitRounds, salt };
}

/** Repeats `source` bytes cyclically to `length` bytes (the spec's P and S sequences). */
function stretch(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += source.length) {
    source.copy(out, offset, 0, Math.min(source.length, length - offset));
  }
  return out;
}

/**
 * Hashes `password` with the salt and rounds of `setting`; returns the full string to compare
 * with the stored one, or null when the setting is not a valid SHA-crypt setting.
 */
export function shaCrypt(password: Buffer, setting: string): string | null {
  const parsed = parseShaCryptSetting(setting);
  if (!parsed) return null;
  const { variant, rounds, salt: saltText } = parsed;
  const salt = Buffer.from(saltText, 'latin1');
  const size = variant.digestLength;
  const hash = () => createHash(variant.algorithm);

  // Digest B: password, salt, password.
  const digestB = hash().update(password).update(salt).update(password).digest();

  // Digest A: password, salt, B stretched to the password's length, then per bit of that
  // length (lowest first) B for a one and the password for a zero.
  const contextA = hash().update(password).update(salt);
  contextA.update(stretch(digestB, password.length));
  for (let bits = password.length; bits > 0; bits >>>= 1) {
    contextA.update(bits & 1 ? digestB : password);
  }
  let digest = contextA.digest();

  // Digest DP: the password once per password byte; P is DP stretched to the password length.
  const contextDP = hash();
  for (let i = 0; i < password.length; i += 1) contextDP.update(password);
  const sequenceP = stretch(contextDP.digest(), password.length);

  // Digest DS: the salt 16 + A[0] times; S is DS stretched to the salt length.
  const contextDS = hash();
  for (let i = 0; i < 16 + digest[0]; i += 1) contextDS.update(salt);
  const sequenceS = stretch(contextDS.digest(), salt.length);

  // The rounds loop, mixing P, S and the previous digest by the round number.
  for (let round = 0; round < rounds; round += 1) {
    const context = hash();
    context.update(round & 1 ? sequenceP : digest);
    if (round % 3 !== 0) context.update(sequenceS);
    if (round % 7 !== 0) context.update(sequenceP);
    context.update(round & 1 ? digest : sequenceP);
    digest = context.digest();
  }

  const roundsText = parsed.explicitRounds ? `rounds=${rounds}$` : '';
  const encoded = encodeDigest(digest.subarray(0, size), variant.groups);
  return `${parsed.prefix}${roundsText}${saltText}$${encoded}`;
}
