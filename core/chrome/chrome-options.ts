/** Options of chrome media. */
import { defineOption } from '../config/options';

export const HTDOCS_LOCATION = defineOption({
  section: 'trac', name: 'htdocs_location', type: 'text', default: '',
  doc: 'Base URL the pages use for the shipped media under /chrome/common/ (for a front ' +
    'server serving a copy made by `gatehouse-admin ENV deploy DIR`); empty serves it here.',
});

export const chromeOptions = [HTDOCS_LOCATION];
