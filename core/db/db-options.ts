/** Options the database core reads. */
import { defineOption, type OptionSpec } from '../config/options';

export const DatabaseOptions = {
  /**
   * Trac's option of the same name and meaning. SQLite waits this long for another process's
   * write lock; server backends may use it as their connect timeout.
   */
  timeout: defineOption({ section: 'trac', name: 'timeout', type: 'int', default: 20, min: 0,
    doc: 'Seconds a database call may wait for a lock held by another process (SQLite) or for a ' +
      'connection; 0 waits without limit.' }),
} as const;

export const databaseOptions: OptionSpec[] = Object.values(DatabaseOptions);
