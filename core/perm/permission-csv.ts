/**
 * The CSV that `permission export` writes and `permission import` reads: one record per user or
 * group, its name then everything granted to it (`alice,TRAC_ADMIN,developers`), as trac-admin
 * writes it. Quoting follows RFC 4180 section 2: a field holding a comma, a double quote or a
 * line break is enclosed in double quotes, and a double quote inside one is doubled.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, readonly reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

export function formatCsvField(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function formatCsvRecord(fields: readonly string[]): string {
  return fields.map(formatCsvField).join(',');
}

/**
 * Splits CSV text into records. Line breaks may be CRLF (RFC 4180 section 2.1), LF or CR; a
 * UTF-8 byte order mark and blank lines are skipped. A quote inside an unquoted field is kept as
 * text (as Python's csv module does); an unterminated quoted field or text after a closing quote
 * is an error naming the line.
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let position = 0;

  while (position < source.length) {
    const start = line;
    const fields: string[] = [];
    let quotedAny = false;

    for (;;) {
      let field = '';
      if (source[position] === '"') {
        quotedAny = true;
        position += 1;
        for (;;) {
          if (position >= source.length) throw new CsvSyntaxError(start, 'a quoted field never ends');
          const char = source[position];
          if (char === '"') {
            if (source[position + 1] === '"') {
              field += '"';
              position += 2;
              continue;
            }
            position += 1;
            break;
          }
          if (char === '\n' || (char === '\r' && source[position + 1] !== '\n')) line += 1;
          field += char;
          position += 1;
        }
        const next = source[position];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          throw new CsvSyntaxError(line, 'text follows the closing quote of a field');
        }
      } else {
        while (position < source.length && !',\r\n'.includes(source[position])) {
          field += source[position];
          position += 1;
        }
      }
      fields.push(field);

      if (source[position] === ',') {
        position += 1;
        continue;
      }
      if (source[position] === '\r') position += 1;
      if (source[position] === '\n') position += 1;
      line += 1;
      break;
    }

    const blank = fields.length === 1 && fields[0] === '' && !quotedAny;
    if (!blank) records.push({ line: start, fields });
  }
  return records;
}
