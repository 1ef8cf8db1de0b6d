/** Plain-text layouts for console output, as trac-admin prints them. */

/** Width of a string in code points (so one accented letter counts once). */
function width(text: string): number {
  return [...text].length;
}

/**
 * A table with a header, a rule of dashes under it and two spaces between columns; the last
 * column is not padded, so no line ends in spaces.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = headers.map((header, column) =>
    Math.max(width(header), ...rows.map((row) => width(row[column] ?? ''))));
  const render = (cells: readonly string[]): string => cells
    .map((cell, column) => column === cells.length - 1
      ? cell : cell + ' '.repeat(widths[column] - width(cell)))
    .join('  ');
  const ruleWidth = widths.reduce((sum, value) => sum + value, 0) + 2 * (widths.length - 1);
  return [render(headers), '-'.repeat(ruleWidth), ...rows.map(render)];
}

/** Fills words into lines of at most `columns` (a longer word gets a line of its own). */
export function wrapWords(words: readonly string[], columns: number, indent: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (current !== '' && width(current) + 1 + width(word) > columns) {
      lines.push(current);
      current = '';
    }
    current = current === '' ? indent + word : `${current} ${word}`;
  }
  if (current !== '') lines.push(current);
  return lines;
}
