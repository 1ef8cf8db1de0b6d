/**
 * A short memory of safe-path resolutions. Resolving a path safely costs two `realpath` calls
 * (the root's and the file's), which at thousands of requests a second is most of the work of
 * sending a cached stylesheet. A resolution is reused for `ttlMs`; after that, or once the
 * file is gone, it is resolved again, so a changed symlink takes effect within that time.
 */
import { resolveSafePath } from './safe-path';

interface Resolution {
  filePath: string;
  at: number;
}

export class ResolvedPaths {
  private readonly entries = new Map<string, Resolution>();

  constructor(private readonly ttlMs = 1000, private readonly maxEntries = 4096) {}

  /** Like resolveSafePath (same errors), answered from memory while fresh. */
  async resolve(root: string, rawSubPath: string): Promise<string> {
    const key = `${root}\0${rawSubPath}`;
    const now = Date.now();
    const known = this.entries.get(key);
    if (known && now - known.at < this.ttlMs) return known.filePath;

    const filePath = await resolveSafePath(root, rawSubPath);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { filePath, at: now });
    return filePath;
  }

  /** Forgets a resolution (its file turned out to be missing). */
  forget(root: string, rawSubPath: string): void {
    this.entries.delete(`${root}\0${rawSubPath}`);
  }
}
