'use strict';
// scrypt password hashes for the JSON store: `node scrypt-hash.js PASSWORD` prints one.
const crypto = require('node:crypto');

const KEY_LENGTH = 32;

function hashPassword(password, salt = crypto.randomBytes(16)) {
  const hash = crypto.scryptSync(password.normalize('NFC'), salt, KEY_LENGTH);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

/** Constant-time check of a password against one stored value. */
function verify(password, stored) {
  const [scheme, saltHex, hashHex] = String(stored).split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = crypto.scryptSync(password.normalize('NFC'), Buffer.from(saltHex, 'hex'), KEY_LENGTH);
  return crypto.timingSafeEqual(actual, expected);
}

module.exports = { hashPassword, verify };

if (require.main === module) process.stdout.write(`${hashPassword(process.argv[2] ?? '')}\n`);
