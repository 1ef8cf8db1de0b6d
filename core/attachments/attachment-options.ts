/** Options of attachments (Trac's names and defaults). */
import { defineOption } from '../config/options';

export const MAX_SIZE = defineOption({
  section: 'attachment', name: 'max_size', type: 'int', default: 262144,
  doc: 'Largest attachment accepted through the web upload form, in bytes; a negative value ' +
    'means no limit. Enforced while the upload streams (413 past it).',
});

export const RENDER_UNSAFE_CONTENT = defineOption({
  section: 'attachment', name: 'render_unsafe_content', type: 'bool', default: false,
  doc: 'Let browsers render raw attachments of types that can run scripts (HTML, SVG, XML, ' +
    'JavaScript) on this site; when false they are sent as downloads.',
});

export const attachmentOptions = [MAX_SIZE, RENDER_UNSAFE_CONTENT];
