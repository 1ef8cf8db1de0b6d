/**
 * The core writes SQL with `?` placeholders (SQLite's and MySQL's style); PostgreSQL numbers them
 * (`$1`, `$2`). The translation must leave a `?` alone wherever it is not a placeholder: inside
 * string literals, quoted identifiers, comments and dollar-quoted bodies (PostgreSQL manual,
 * "Lexical Structure", sections 4.1.2.1 to 4.1.2.4 and 4.1.5).
 */

export interface TranslatedSql {
  text: string;
  /** How many placeholders the statement has, to check against the parameters bound. */
  placeholders: number;
}

const identifierChar = /[A-Za-z0-9_$]/;

/** Where the token that starts at `index` ends (the index just past it), for tokens `?` skips. */
function skipQuoted(sql: string, index: number, quote: string, backslashEscapes: boolean): number {
  let position = index + 1;
  while (position < sql.length) {
    const char = sql[position];
    if (backslashEscapes && char === '\\') {
      position += 2;
      continue;
    }
    if (char === quote) {
      // A doubled quote is an escaped quote inside the token, not its end.
      if (sql[position + 1] === quote) {
        position += 2;
        continue;
      }
      return position + 1;
    }
    position += 1;
  }
  return sql.length;
}

function skipBlockComment(sql: string, index: number): number {
  // PostgreSQL block comments nest, unlike the SQL standard's.
  let depth = 0;
  let position = index;
  while (position < sql.length) {
    if (sql.startsWith('/*', position)) {
      depth += 1;
      position += 2;
    } else if (sql.startsWith('*/', position)) {
      depth -= 1;
      position += 2;
      if (depth === 0) return position;
    } else {
      position += 1;
    }
  }
  return sql.length;
}

/** A `$tag$ ... $tag$` string; returns undefined when the `$` at `index` does not open one. */
function skipDollarQuoted(sql: string, index: number): number | undefined {
  const opener = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(index));
  if (!opener) return undefined;
  const close = sql.indexOf(opener[0], index + opener[0].length);
  return close === -1 ? sql.length : close + opener[0].length;
}

/** Translates `?` placeholders to `$1`, `$2`, ... for PostgreSQL. */
export function toNumberedPlaceholders(sql: string): TranslatedSql {
  let text = '';
  let placeholders = 0;
  let position = 0;
  let copiedUpTo = 0;

  while (position < sql.length) {
    const char = sql[position];
    const previous = position > 0 ? sql[position - 1] : '';
    let skipTo: number | undefined;

    if (char === "'") {
      // E'...' strings take backslash escapes; a plain string does not (standard_conforming_strings).
      const escapeString = (previous === 'E' || previous === 'e') &&
        (position < 2 || !identifierChar.test(sql[position - 2]));
      skipTo = skipQuoted(sql, position, "'", escapeString);
    } else if (char === '"') {
      skipTo = skipQuoted(sql, position, '"', false);
    } else if (char === '-' && sql[position + 1] === '-') {
      const lineEnd = sql.indexOf('\n', position);
      skipTo = lineEnd === -1 ? sql.length : lineEnd + 1;
    } else if (char === '/' && sql[position + 1] === '*') {
      skipTo = skipBlockComment(sql, position);
    } else if (char === '$' && !identifierChar.test(previous)) {
      skipTo = skipDollarQuoted(sql, position);
    } else if (char === '?') {
      placeholders += 1;
      text += `${sql.slice(copiedUpTo, position)}$${placeholders}`;
      copiedUpTo = position + 1;
    }

    position = skipTo ?? position + 1;
  }

  return { text: text + sql.slice(copiedUpTo), placeholders };
}

/**
 * Translations are cached: the core's statements are a few hundred constant strings, and a
 * request runs several of them. The cache is bounded so that generated SQL cannot grow it forever.
 */
export class PlaceholderCache {
  private readonly entries = new Map<string, TranslatedSql>();

  constructor(private readonly limit = 1000) {}

  translate(sql: string): TranslatedSql {
    const cached = this.entries.get(sql);
    if (cached) return cached;
    const translated = toNumberedPlaceholders(sql);
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(sql, translated);
    return translated;
  }
}
