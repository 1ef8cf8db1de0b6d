'use strict';
/**
 * A worked custom password store (docs/plugins.md): users and scrypt hashes in a JSON file.
 * Drop this folder into an environment's plugins/ folder; it is on by default there.
 *
 *   [json-store]
 *   file = users.json        (relative paths are relative to conf/, as in Trac)
 *
 * users.json: { "alice": "scrypt$<salt hex>$<hash hex>" }. `node scrypt-hash.js PASSWORD`
 * prints such a value.
 */
const fs = require('node:fs/promises');
const path = require('node:path');
const gatehouse = require('gatehouse');

const fileOption = gatehouse.defineOption({
  section: 'json-store', name: 'file', type: 'path', default: 'users.json',
  doc: 'JSON file of users and scrypt password hashes.',
});

const { verify } = require('./scrypt-hash');

class JsonPasswordStore {
  constructor(env) {
    this.env = env;
    this.name = 'JsonPasswordStore';
  }

  /** Reads the file on every call: it is small, and a change takes effect at once. */
  async users() {
    const file = this.env.config.option(fileOption);
    try {
      return JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (error) {
      // Unavailable, not "unknown user": the caller answers 503 and lets nobody in.
      throw new gatehouse.GatehouseError(gatehouse.Errors.AUTH_STORE_UNAVAILABLE,
        { store: this.name, reason: `${path.basename(file)}: ${error.message}` });
    }
  }

  async checkPassword(user, password) {
    const users = await this.users();
    if (!Object.prototype.hasOwnProperty.call(users, user)) return null;
    return verify(password, users[user]);
  }

  async hasUser(user) {
    return Object.prototype.hasOwnProperty.call(await this.users(), user);
  }

  async listUsers() {
    return Object.keys(await this.users()).sort();
  }
}

// Plain JavaScript has no decorator syntax: apply tsyringe's decorators by hand.
gatehouse.inject(gatehouse.ENVIRONMENT)(JsonPasswordStore, undefined, 0);
gatehouse.injectable()(JsonPasswordStore);

module.exports = gatehouse.definePlugin({
  name: 'json-store',
  description: 'Users and scrypt password hashes in a JSON file',
  components: [{ name: 'JsonPasswordStore', class: JsonPasswordStore, provides: [gatehouse.PASSWORD_STORE] }],
  options: [fileOption],
});
