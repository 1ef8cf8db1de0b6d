/**
 * `Content-Disposition` for file responses, RFC 6266.
 *
 * §4.3 and Appendix D: send a plain `filename` every client understands (an ASCII stand-in)
 * and, when the real name is not plain ASCII, `filename*` with the UTF-8 name encoded per
 * RFC 8187 §3.2, which current browsers prefer over `filename`.
 */

export type DispositionType = 'inline' | 'attachment';

// RFC 8187 §3.2.1 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~". Everything else is percent-encoded from UTF-8.
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/** Characters that are not safe inside a quoted-string for every client. */
const UNSAFE_IN_QUOTED = /[^\x20-\x7e]|["\\%]/gu;

/**
 * Drops what a file name must never carry into a header or a save dialog: path parts,
 * control characters (CR and LF above all), and surrounding blanks.
 */
export function sanitizeDownloadName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
}

/** RFC 8187 ext-value: `UTF-8''` followed by the percent-encoded UTF-8 bytes. */
export function encodeExtValue(value: string): string {
  let out = "UTF-8''";
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The ASCII stand-in for `filename=`: every unsafe character becomes `_`. */
export function asciiFallback(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(UNSAFE_IN_QUOTED, '_');
}

/**
 * Builds the header value. Without a usable name, just the type.
 *
 * @example
 *   contentDisposition('attachment', 'résumé.pdf')
 *   // attachment; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
 */
export function contentDisposition(type: DispositionType, fileName?: string): string {
  const name = fileName === undefined ? '' : sanitizeDownloadName(fileName);
  if (name === '') return type;

  const fallback = asciiFallback(name);
  if (fallback === name) return `${type}; filename="${name}"`;
  return `${type}; filename="${fallback}"; filename*=${encodeExtValue(name)}`;
}
