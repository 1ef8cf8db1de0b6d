/** Options of file serving: the front-server hand-off and the memory cache. */
import { defineOption } from '../config/options';
import { Errors, GatehouseError } from '../errors';
import type { ConfigView } from '../config/types';

export const USE_XSENDFILE = defineOption({
  section: 'trac', name: 'use_xsendfile', type: 'bool', default: false,
  doc: 'Send files by naming them in the xsendfile_header header and letting the front ' +
    'server (Apache mod_xsendfile, nginx) send the bytes, instead of sending them here.',
});

export const XSENDFILE_HEADER = defineOption({
  section: 'trac', name: 'xsendfile_header', type: 'text', default: 'X-Sendfile',
  doc: 'The header that carries the file path when use_xsendfile is on: X-Sendfile for ' +
    'Apache and lighttpd, X-Accel-Redirect for nginx.',
});

export const CACHE_SIZE = defineOption({
  section: 'files', name: 'cache_size', type: 'int', default: 16 * 1024 * 1024, min: 0,
  doc: 'Bytes of memory each environment may use to keep small, often requested files ' +
    '(chrome media) with their compressed variants; 0 turns the cache off.',
});

export const CACHE_MAX_FILE_SIZE = defineOption({
  section: 'files', name: 'cache_max_file_size', type: 'int', default: 256 * 1024, min: 0,
  doc: 'Files larger than this many bytes are always streamed from disk, never cached.',
});

export const CACHE_CHECK_INTERVAL = defineOption({
  section: 'files', name: 'cache_check_interval', type: 'int', default: 1000, min: 0,
  doc: 'Milliseconds a cached file is served before its size, modification time and inode are ' +
    'checked again (an edit shows within this time); 0 checks on every request.',
});

export const fileOptions = [USE_XSENDFILE, XSENDFILE_HEADER, CACHE_SIZE, CACHE_MAX_FILE_SIZE,
  CACHE_CHECK_INTERVAL];

/** The header to hand files over with, or undefined when use_xsendfile is off. */
export function xsendfileSettings(config: ConfigView): string | undefined {
  if (!config.option(USE_XSENDFILE)) return undefined;
  const header = config.option(XSENDFILE_HEADER).trim();
  if (header === '') return 'X-Sendfile';
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(header)) {
    throw new GatehouseError(Errors.CONFIG_VALUE, {
      file: config.files[0] ?? 'trac.ini', section: 'trac', key: 'xsendfile_header',
      value: header, expected: 'an HTTP header name such as X-Sendfile or X-Accel-Redirect',
    });
  }
  return header;
}

/**
 * The header value naming the file. nginx's X-Accel-Redirect takes a URI, so the path is
 * percent-encoded for it; X-Sendfile takes a file system path, sent as its UTF-8 bytes.
 */
export function xsendfileValue(header: string, filePath: string): string {
  if (header.toLowerCase() === 'x-accel-redirect') return encodeURI(filePath);
  return Buffer.from(filePath, 'utf8').toString('latin1');
}
