/**
 * Copies chrome media out for a front server (`gatehouse-admin ENV deploy DIR` calls this).
 * Each prefix becomes a folder: `<target>/common`, `<target>/site`, `<target>/<plugin>`, so a
 * front server can serve `<target>` at `/chrome/` and `[trac] htdocs_location` can point at
 * `<url of target>/common`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from '../env/types';
import { chromeRoots } from './chrome-roots';

export interface DeployedFolder {
  prefix: string;
  source: string;
  target: string;
  files: number;
}

/**
 * Copies every chrome folder under `targetDir`, replacing files of the same name. Dotfiles are
 * left out, as they are never served, and so is any symlink whose target lies outside its
 * folder. Returns what was copied; missing folders (no site htdocs yet) are skipped.
 */
export async function copyChromeMedia(env: Environment, targetDir: string): Promise<DeployedFolder[]> {
  const copied: DeployedFolder[] = [];
  for (const [prefix, source] of chromeRoots(env)) {
    const realSource = await fs.realpath(source).catch(() => undefined);
    if (!realSource) continue;
    const target = path.join(path.resolve(targetDir), prefix);
    await fs.mkdir(target, { recursive: true });
    const files = await copyTree(realSource, realSource, target, new Set([realSource]));
    copied.push({ prefix, source, target, files });
  }
  return copied;
}

/** `visited` holds the real folders already copied, so a symlink loop is copied once. */
async function copyTree(root: string, from: string, to: string, visited: Set<string>):
  Promise<number> {
  let count = 0;
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const source = path.join(from, entry.name);
    const real = await fs.realpath(source).catch(() => undefined);
    if (!real || (real !== root && !real.startsWith(root + path.sep))) continue;

    const stat = await fs.stat(real);
    const target = path.join(to, entry.name);
    if (stat.isDirectory()) {
      if (visited.has(real)) continue;
      visited.add(real);
      await fs.mkdir(target, { recursive: true });
      count += await copyTree(root, real, target, visited);
    } else if (stat.isFile()) {
      await fs.copyFile(real, target);
      await fs.utimes(target, stat.atime, stat.mtime);
      count += 1;
    }
  }
  return count;
}
