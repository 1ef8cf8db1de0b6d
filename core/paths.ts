import fs from 'node:fs';
import path from 'node:path';

/**
 * The checkout's root folder (the one holding package.json). Compiled code runs from dist/, but
 * shipped media and built-in plugin sources are found relative to the root.
 */
function findProjectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'core'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..', '..');
    dir = parent;
  }
}

export const projectRoot = findProjectRoot();
/** Where the compiled JavaScript lives (dist/ under the root). */
export const compiledRoot = path.resolve(__dirname, '..');

export const gatehouseVersion: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
