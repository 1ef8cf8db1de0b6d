/** Options the configuration layer itself reads. */
import { defineOption } from './options';
import type { OptionSpec } from './options';

export const INHERIT_FILE = defineOption({
  section: 'inherit', name: 'file', type: 'list', default: [],
  doc: 'Other ini files whose values apply where this file sets none, comma-separated; ' +
    'relative names resolve against the folder of the file naming them.',
});

export const configOptions: OptionSpec[] = [INHERIT_FILE];
