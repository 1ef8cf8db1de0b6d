/**
 * Content types by file extension: a small table covering what chrome media and typical
 * attachments are made of. Anything unknown is `application/octet-stream`, which browsers
 * download rather than render.
 */
import path from 'node:path';

const TYPES: Record<string, string> = {
  // Text and code
  css: 'text/css',
  csv: 'text/csv',
  diff: 'text/x-diff',
  htm: 'text/html',
  html: 'text/html',
  ini: 'text/plain',
  js: 'text/javascript',
  json: 'application/json',
  log: 'text/plain',
  map: 'application/json',
  md: 'text/markdown',
  mjs: 'text/javascript',
  patch: 'text/x-diff',
  py: 'text/x-python',
  rst: 'text/plain',
  sh: 'text/x-shellscript',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  xhtml: 'application/xhtml+xml',
  xml: 'text/xml',
  yaml: 'text/yaml',
  yml: 'text/yaml',
  // Images
  avif: 'image/avif',
  bmp: 'image/bmp',
  gif: 'image/gif',
  ico: 'image/vnd.microsoft.icon',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  webp: 'image/webp',
  // Fonts
  otf: 'font/otf',
  ttf: 'font/ttf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  // Documents and archives
  '7z': 'application/x-7z-compressed',
  bz2: 'application/x-bzip2',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  gz: 'application/gzip',
  odt: 'application/vnd.oasis.opendocument.text',
  pdf: 'application/pdf',
  tar: 'application/x-tar',
  tgz: 'application/gzip',
  wasm: 'application/wasm',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xz: 'application/x-xz',
  zip: 'application/zip',
  // Audio and video
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  webm: 'video/webm',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The bare media type for a file name (`a/b/site.css` -> `text/css`). */
export function mediaTypeFor(fileName: string): string {
  const extension = path.extname(fileName).slice(1).toLowerCase();
  return TYPES[extension] ?? DEFAULT_CONTENT_TYPE;
}

/** Whether a media type is text a browser decodes with a charset. */
export function isTextual(mediaType: string): boolean {
  return mediaType.startsWith('text/') || mediaType === 'application/json' ||
    mediaType === 'image/svg+xml' || mediaType.endsWith('+xml') || mediaType === 'application/xml';
}

/** Whether compressing a body of this type is worth it (text; images and archives are not). */
export function isCompressible(mediaType: string): boolean {
  return isTextual(mediaType) || mediaType === 'application/wasm' ||
    mediaType === 'image/vnd.microsoft.icon' || mediaType === 'image/bmp';
}

/**
 * The Content-Type header for a file we ship or a site owner put in htdocs: UTF-8 text is the
 * norm there, so textual types carry `charset=utf-8`.
 */
export function contentTypeFor(fileName: string): string {
  const mediaType = mediaTypeFor(fileName);
  return isTextual(mediaType) ? `${mediaType}; charset=utf-8` : mediaType;
}

/**
 * Types a browser would execute or render as an active document when opened inline: HTML,
 * XHTML, SVG, XML (which can carry XSLT and scripts) and JavaScript. Uploaded files of these
 * types must not be rendered on our origin unless the site owner says so.
 */
export function isActiveContent(mediaType: string): boolean {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml' || type === 'image/svg+xml' ||
    type === 'text/xml' || type === 'application/xml' || type.endsWith('+xml') ||
    type.includes('javascript') || type.includes('ecmascript') || type === 'text/xsl' ||
    type === 'application/x-shockwave-flash';
}
