/**
 * Reading an htpasswd file as Apache's mod_authn_file does: one `user:hash` per line, the hash
 * ending at the next colon (later fields are comments), blank lines and `#` lines skipped,
 * white space around a line ignored (so CRLF files work), and the first line for a user wins.
 */
import { MAX_BSDI_ITERATIONS } from './hashes/des-crypt';
import { classifyStoredHash, isWellFormedHash, type HashFormat } from './password-hash';

export interface HtpasswdEntry {
  user: string;
  hash: string;
  format: HashFormat;
  /** 1-based line number, for messages. */
  line: number;
}

export interface HtpasswdProblem {
  line: number;
  problem: string;
  /** The user the line names, when it names one. */
  user?: string;
}

export interface ParsedHtpasswd {
  /** Users in file order; the first entry of a user only. */
  entries: Map<string, HtpasswdEntry>;
  problems: HtpasswdProblem[];
}

/** The white space C's isspace() knows; Apache trims exactly these from each line. */
const SPACE = '[ \\t\\n\\v\\f\\r]';
const TRIM = new RegExp(`^${SPACE}+|${SPACE}+$`, 'g');

export function trimLine(line: string): string {
  return line.replace(TRIM, '');
}

/** Splits one trimmed, non-comment line; null user means the line is malformed. */
export function splitEntry(line: string): { user: string; hash: string } | null {
  const colon = line.indexOf(':');
  if (colon === -1) return null;
  const user = line.slice(0, colon);
  const rest = line.slice(colon + 1);
  const end = rest.indexOf(':');
  return { user, hash: end === -1 ? rest : rest.slice(0, end) };
}

export function isSkippedLine(trimmed: string): boolean {
  return trimmed === '' || trimmed.startsWith('#');
}

export function parseHtpasswd(text: string): ParsedHtpasswd {
  const entries = new Map<string, HtpasswdEntry>();
  const problems: HtpasswdProblem[] = [];

  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = trimLine(raw);
    if (isSkippedLine(trimmed)) return;

    const entry = splitEntry(trimmed);
    if (!entry) {
      problems.push({ line, problem: 'no colon between user name and password hash' });
      return;
    }
    if (entry.user === '') {
      problems.push({ line, problem: 'empty user name' });
      return;
    }
    const first = entries.get(entry.user);
    if (first) {
      problems.push({ line, user: entry.user,
        problem: `second entry for user ${entry.user} ignored (line ${first.line} counts)` });
      return;
    }
    if (entry.hash === '') {
      // Apache would find this user and refuse every password: keep the user, warn.
      problems.push({ line, user: entry.user, problem: 'empty password hash: no password matches' });
    }

    const format = classifyStoredHash(entry.hash);
    if (entry.hash !== '' && format !== 'plaintext' && !isWellFormedHash(entry.hash, format)) {
      problems.push({ line, user: entry.user, problem: format === 'unsupported'
        ? 'hash format not supported here (rehash it with htpasswd -B): no password matches'
        : format === 'bsdi-des-crypt'
          ? `BSDi DES hash with a count of 0 or above ${MAX_BSDI_ITERATIONS} iterations is not `
            + 'supported here (rehash it with htpasswd -B): no password matches'
          : `malformed ${format} hash: no password matches` });
    }
    entries.set(entry.user, { user: entry.user, hash: entry.hash, format, line });
  });

  return { entries, problems };
}
