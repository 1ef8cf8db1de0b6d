/**
 * Reading `Authorization: Basic ...` (RFC 7617). Every malformed header becomes a clear answer
 * (400 or 431), never an exception.
 */

/** Longest Authorization value read; Basic credentials of any real user fit many times over. */
export const MAX_AUTHORIZATION_LENGTH = 4096;

export type BasicCredentialsResult =
  | { kind: 'credentials'; user: string; password: string }
  /** No Authorization header, or another scheme's: the client should be challenged. */
  | { kind: 'absent'; scheme?: string }
  | { kind: 'malformed'; status: 400 | 431; reason: string };

// RFC 7235 section 2.1: token68 is base64 characters plus optional trailing `=`.
const TOKEN68 = /^[A-Za-z0-9+/]+=*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether text holds a C0 control character or DEL (RFC 5234's CTL). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function malformed(reason: string, status: 400 | 431 = 400): BasicCredentialsResult {
  return { kind: 'malformed', status, reason };
}

export function parseBasicAuthorization(header: string | undefined): BasicCredentialsResult {
  if (header === undefined || header.trim() === '') return { kind: 'absent' };
  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    return malformed('the Authorization header is too large', 431);
  }

  // RFC 7235 section 2.1: the scheme name is case-insensitive and followed by one or more spaces.
  const [scheme, ...rest] = header.trim().split(/[ \t]+/);
  if (scheme.toLowerCase() !== 'basic') return { kind: 'absent', scheme };
  if (rest.length !== 1) return malformed('Basic credentials must be one base64 token');
  const token = rest[0];

  // Padding is optional in practice (RFC 7617 section 2 shows it; some clients drop it), but
  // it may not exceed what the length allows, and a length of 4n+1 is never valid base64.
  const body = token.replace(/=+$/, '');
  if (!TOKEN68.test(token) || body.length % 4 === 1 || token.length - body.length > 2
    || (token.length !== body.length && token.length % 4 !== 0)) {
    return malformed('Basic credentials are not valid base64');
  }
  const decoded = Buffer.from(body, 'base64');

  // RFC 7617 section 2: user-id and password are split at the first colon (a user-id has none).
  const colon = decoded.indexOf(0x3a);
  if (colon === -1) return malformed('Basic credentials lack the colon between user and password');

  // RFC 7617 section 2.1: with charset="UTF-8" announced, clients send UTF-8.
  let user: string;
  let password: string;
  try {
    user = utf8.decode(decoded.subarray(0, colon));
    password = utf8.decode(decoded.subarray(colon + 1));
  } catch {
    return malformed('Basic credentials are not valid UTF-8');
  }

  // RFC 7617 section 2: neither part may contain control characters. For the password we only
  // refuse NUL, which no C program (Apache's htpasswd included) could have stored.
  if (hasControlCharacter(user)) return malformed('the user name contains a control character');
  if (password.includes('\0')) return malformed('the password contains a NUL character');
  return { kind: 'credentials', user, password };
}

/** A quoted-string for a header parameter (RFC 9110 section 5.6.4). */
export function quoteHeaderValue(value: string): string {
  // Control characters cannot be quoted; non-ASCII goes out as UTF-8 bytes, which Node sends
  // unchanged when each byte is one latin1 character.
  const clean = [...value].map((c) => (hasControlCharacter(c) ? ' ' : c)).join('');
  const bytes = Buffer.from(clean, 'utf8').toString('latin1');
  return `"${bytes.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The challenge: `Basic realm="...", charset="UTF-8"` (RFC 7617 sections 2 and 2.1). */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quoteHeaderValue(realm)}, charset="UTF-8"`;
}
