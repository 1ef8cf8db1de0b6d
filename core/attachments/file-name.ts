/** Attachment file names: cleaning what a client sends, and Trac's `foo.2.txt` for duplicates. */

// C0 and C1 controls, DEL, and the bidirectional overrides that make `txt.exe` read as
// `exe.txt` in a listing.
// eslint-disable-next-line no-control-regex
const UNWANTED = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Longest name kept, in characters (file systems allow 255 bytes; ours is hashed anyway). */
const MAX_LENGTH = 200;

/**
 * What a browser or a script sends as a file name, made fit to show and store: Unicode NFC
 * (macOS sends NFD), the last part of a Windows or POSIX path, no control or direction
 * characters, no surrounding blanks. Returns '' when nothing usable is left.
 */
export function cleanFileName(name: string): string {
  const base = name.normalize('NFC').replace(/\\/g, '/').split('/').pop() ?? '';
  const cleaned = base.replace(UNWANTED, '').trim();
  if (cleaned === '.' || cleaned === '..') return '';
  return [...cleaned].slice(0, MAX_LENGTH).join('');
}

/** `foo.txt` with index 2 -> `foo.2.txt` (as Trac numbers a name already taken). */
export function numberedFileName(name: string, index: number): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return `${name}.${index}`;
  return `${name.slice(0, dot)}.${index}${name.slice(dot)}`;
}
