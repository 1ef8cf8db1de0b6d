/**
 * A trac.ini file as lines, read the way Trac reads it (Python's ConfigParser with no
 * interpolation and strict=False) and edited without disturbing anything it does not touch.
 *
 * Reading rules, as in Trac:
 * - `[section]` headers; section names are case-sensitive.
 * - `key = value` or `key: value`, split at the first `=` or `:`; option names are lower-cased
 *   for lookup; values are trimmed.
 * - Only full lines are comments (first non-blank character `#` or `;`), so values may hold
 *   `;` and `#` (URLs, passwords).
 * - A line indented deeper than its option line continues the value; lines join with `\n`.
 *   Blank lines between value lines belong to the value, comment lines do not.
 * - A key set twice, or a section written twice, merges: the last value wins.
 */
import { Errors, GatehouseError, defineError } from '../errors';

export const CONFIG_EDIT = defineError('GH_ERR_CONFIG_EDIT', 400,
  'cannot set [{section}] {key}: {reason}');

interface PhysicalLine {
  text: string;
  /** The line's own terminator: '\n', '\r\n', '\r', or '' for a last line without one. */
  eol: string;
}

interface EntryBlock {
  key: string;
  line: number;
  /** Continuation lines of the value (indices), not counting blank and comment lines between. */
  continuations: number[];
  indent: string;
  value: string;
}

interface SectionBlock {
  name: string;
  header: number;
  entries: EntryBlock[];
  /** Index of the header, last option line or last continuation line of this block. */
  lastContent: number;
}

const SECTION_HEADER = /^\[([^\]]*)\]\s*(?:[#;].*)?$/;
const OPTION_LINE = /^(.*?)\s*[=:]\s*(.*)$/;
const OPTION_PARTS = /^(\s*)(.*?)(\s*)([=:])(\s*)(.*)$/;
const DEFAULT_CONTINUATION_INDENT = '    ';

function isComment(trimmed: string): boolean {
  return trimmed.startsWith('#') || trimmed.startsWith(';');
}

function leadingWhitespace(text: string): string {
  return /^\s*/.exec(text)?.[0] ?? '';
}

function splitLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  const terminator = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = terminator.exec(text); match; match = terminator.exec(text)) {
    lines.push({ text: text.slice(start, match.index), eol: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

/** Trims every line of a value and the value as a whole, as reading it back would. */
export function normalizeIniValue(value: string): string {
  return value.split(/\r\n|\n|\r/).map((line) => line.trim()).join('\n').trim();
}

function syntaxError(file: string, line: number, problem: string): GatehouseError {
  return new GatehouseError(Errors.CONFIG_SYNTAX, { file, line, problem });
}

function analyze(lines: PhysicalLine[], file: string): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let block: SectionBlock | undefined;
  let entry: EntryBlock | undefined;
  let entryIndent = 0;
  let parts: string[] = [];

  const finishEntry = (): void => {
    if (entry) entry.value = parts.join('\n').trim();
    entry = undefined;
  };

  lines.forEach(({ text }, index) => {
    const trimmed = text.trim();
    if (trimmed === '') {
      if (entry) parts.push('');
      return;
    }
    if (isComment(trimmed)) return;

    const indent = leadingWhitespace(text).length;
    if (entry && block && indent > entryIndent) {
      parts.push(trimmed);
      entry.continuations.push(index);
      block.lastContent = index;
      return;
    }
    finishEntry();

    if (trimmed.startsWith('[')) {
      const header = SECTION_HEADER.exec(trimmed);
      if (!header) {
        throw syntaxError(file, index + 1, 'malformed section header; expected [name] alone on the line');
      }
      if (header[1] === '') throw syntaxError(file, index + 1, 'empty section name "[]"');
      block = { name: header[1], header: index, entries: [], lastContent: index };
      blocks.push(block);
      return;
    }
    if (!block) {
      throw syntaxError(file, index + 1,
        'text before the first [section] header; every key = value line belongs to a section');
    }
    const option = OPTION_LINE.exec(trimmed);
    if (!option) {
      throw syntaxError(file, index + 1,
        'expected "key = value", a [section] header, a comment starting with # or ;, ' +
        'or a value continuation indented deeper than its key');
    }
    if (option[1] === '') throw syntaxError(file, index + 1, 'missing option name before "=" or ":"');
    entry = {
      key: option[1].toLowerCase(), line: index, continuations: [],
      indent: leadingWhitespace(text), value: '',
    };
    entryIndent = indent;
    parts = [option[2]];
    block.entries.push(entry);
    block.lastContent = index;
  });
  finishEntry();
  return blocks;
}

function checkNames(section: string, key: string): void {
  const refuse = (reason: string): never => {
    throw new GatehouseError(CONFIG_EDIT, { section, key, reason });
  };
  if (section === '' || /[[\]\r\n]/.test(section)) {
    refuse('a section name must be non-empty and hold no brackets or line breaks');
  }
  if (key === '' || /[=:\r\n]/.test(key) || /^[[#;]/.test(key)) {
    refuse('an option name must be non-empty, hold no "=", ":" or line breaks, ' +
      'and not start with "[", "#" or ";"');
  }
}

function checkValue(section: string, key: string, lines: string[]): void {
  lines.forEach((line, index) => {
    if (index > 0 && isComment(line)) {
      throw new GatehouseError(CONFIG_EDIT, {
        section, key,
        reason: `line ${index + 1} of the value starts with "${line[0]}", ` +
          'which trac.ini would read as a comment',
      });
    }
  });
}

/** The entry that counts for each section and key: the last one written. */
function indexEntries(blocks: SectionBlock[]): Map<string, Map<string, EntryBlock>> {
  const index = new Map<string, Map<string, EntryBlock>>();
  for (const block of blocks) {
    let keys = index.get(block.name);
    if (!keys) index.set(block.name, keys = new Map());
    for (const entry of block.entries) keys.set(entry.key, entry);
  }
  return index;
}

export class IniDocument {
  private blocks: SectionBlock[];
  private index: Map<string, Map<string, EntryBlock>>;

  private constructor(
    readonly file: string,
    private readonly bom: boolean,
    private readonly lines: PhysicalLine[],
  ) {
    this.blocks = analyze(lines, file);
    this.index = indexEntries(this.blocks);
  }

  /** Parses trac.ini text; a line that fits no rule throws GH_ERR_CONFIG_SYNTAX with its number. */
  static parse(text: string, file: string): IniDocument {
    const bom = text.startsWith('\uFEFF');
    return new IniDocument(file, bom, splitLines(bom ? text.slice(1) : text));
  }

  /** The effective (last) value of a key, or undefined. */
  get(section: string, key: string): string | undefined {
    return this.effective(section, key)?.value;
  }

  has(section: string, key: string): boolean {
    return this.effective(section, key) !== undefined;
  }

  /** The 1-based line number of the option line that sets a key, for messages. */
  lineOf(section: string, key: string): number | undefined {
    const found = this.effective(section, key);
    return found ? found.line + 1 : undefined;
  }

  /** Section names in order of first appearance. */
  sections(): string[] {
    return [...new Set(this.blocks.map((block) => block.name))];
  }

  /** Keys of a section in order of first appearance, each with its effective value. */
  entries(section: string): Array<[key: string, value: string]> {
    return [...this.index.get(section)?.values() ?? []].map((entry) => [entry.key, entry.value]);
  }

  /**
   * Sets a value. An existing option line is rewritten in place (its indentation, key spelling
   * and spacing around `=` kept); a new key goes after the section's last option; a new section
   * goes at the end of the file. Multi-line values become indented continuation lines.
   */
  set(section: string, key: string, value: string): void {
    const name = key.trim();
    checkNames(section, name);
    const valueLines = normalizeIniValue(value).split('\n');
    checkValue(section, name, valueLines);

    const existing = this.find(section, name).at(-1);
    if (existing) {
      this.rewriteEntry(existing.entry, valueLines);
    } else {
      const block = this.blocks.filter((candidate) => candidate.name === section).at(-1);
      if (block) this.appendEntry(block, name.toLowerCase(), valueLines);
      else this.appendSection(section, name.toLowerCase(), valueLines);
    }
    this.reanalyze();
  }

  /** Removes every line setting the key in the section; returns whether there was one. */
  remove(section: string, key: string): boolean {
    const found = this.find(section, key.trim());
    if (found.length === 0) return false;
    const doomed = found.flatMap(({ entry }) => [entry.line, ...entry.continuations]);
    this.edit(() => {
      for (const index of doomed.sort((a, b) => b - a)) this.lines.splice(index, 1);
    });
    this.reanalyze();
    return true;
  }

  /** The file text: byte for byte the input when nothing was changed. */
  toString(): string {
    return (this.bom ? '\uFEFF' : '') + this.lines.map((line) => line.text + line.eol).join('');
  }

  private reanalyze(): void {
    this.blocks = analyze(this.lines, this.file);
    this.index = indexEntries(this.blocks);
  }

  private effective(section: string, key: string): EntryBlock | undefined {
    return this.index.get(section)?.get(key.trim().toLowerCase());
  }

  private find(section: string, key: string): Array<{ block: SectionBlock; entry: EntryBlock }> {
    const wanted = key.toLowerCase();
    return this.blocks
      .filter((block) => block.name === section)
      .flatMap((block) => block.entries
        .filter((entry) => entry.key === wanted)
        .map((entry) => ({ block, entry })));
  }

  /** The line ending new lines get: the file's first one, or '\n'. */
  private get eol(): string {
    return this.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  }

  /**
   * Runs an edit of the line list, then restores the file's ending: every line but the last
   * ends with a terminator, and the last keeps having none if it had none before.
   */
  private edit(change: () => void): void {
    const eol = this.eol;
    const lastHadNone = this.lines.length > 0 && this.lines[this.lines.length - 1].eol === '';
    change();
    this.lines.forEach((line, index) => {
      if (index < this.lines.length - 1 && line.eol === '') line.eol = eol;
    });
    const last = this.lines.at(-1);
    if (last && lastHadNone) last.eol = '';
  }

  private continuationIndent(entry: EntryBlock): string {
    const ownIndent = entry.continuations.length
      ? leadingWhitespace(this.lines[entry.continuations[0]].text) : undefined;
    if (ownIndent !== undefined) return ownIndent;
    return entry.indent + DEFAULT_CONTINUATION_INDENT;
  }

  private rewriteEntry(entry: EntryBlock, valueLines: string[]): void {
    const original = this.lines[entry.line];
    const parts = OPTION_PARTS.exec(original.text);
    const [indent, keyText, before, delimiter, afterText, oldValue] = parts
      ? parts.slice(1) : [entry.indent, entry.key, ' ', '=', ' ', ''];
    const after = afterText === '' && oldValue === '' ? before : afterText;
    const first = valueLines[0] === ''
      ? `${indent}${keyText}${before}${delimiter}`
      : `${indent}${keyText}${before}${delimiter}${after}${valueLines[0]}`;
    const continuationIndent = this.continuationIndent(entry);

    this.edit(() => {
      for (const index of [...entry.continuations].sort((a, b) => b - a)) this.lines.splice(index, 1);
      this.lines[entry.line] = { text: first, eol: original.eol };
      const rest = valueLines.slice(1).map((line) => ({
        text: line === '' ? '' : continuationIndent + line, eol: this.eol,
      }));
      this.lines.splice(entry.line + 1, 0, ...rest);
    });
  }

  /** Spacing around `=` copied from a nearby option line, so additions match the file. */
  private delimiterStyle(block: SectionBlock | undefined): { indent: string; separator: string } {
    const sample = block?.entries.at(-1) ?? this.blocks.flatMap((each) => each.entries)[0];
    const parts = sample ? OPTION_PARTS.exec(this.lines[sample.line].text) : null;
    if (!parts) return { indent: '', separator: ' = ' };
    const [, indent, , before, delimiter, after, value] = parts;
    const spaceAfter = after === '' && value === '' ? before : after;
    return { indent: block ? indent : '', separator: `${before}${delimiter}${spaceAfter}` };
  }

  private newEntryLines(key: string, valueLines: string[], style: { indent: string; separator: string }) {
    const first = valueLines[0] === ''
      ? `${style.indent}${key}${style.separator}`.trimEnd()
      : `${style.indent}${key}${style.separator}${valueLines[0]}`;
    const continuation = style.indent + DEFAULT_CONTINUATION_INDENT;
    return [first, ...valueLines.slice(1).map((line) => (line === '' ? '' : continuation + line))]
      .map((text) => ({ text, eol: this.eol }));
  }

  private appendEntry(block: SectionBlock, key: string, valueLines: string[]): void {
    const added = this.newEntryLines(key, valueLines, this.delimiterStyle(block));
    this.edit(() => this.lines.splice(block.lastContent + 1, 0, ...added));
  }

  private appendSection(section: string, key: string, valueLines: string[]): void {
    const added = this.newEntryLines(key, valueLines, this.delimiterStyle(undefined));
    const last = this.lines.at(-1);
    const separator = last && last.text.trim() !== '' ? [{ text: '', eol: this.eol }] : [];
    this.edit(() => this.lines.push(...separator, { text: `[${section}]`, eol: this.eol }, ...added));
  }
}
