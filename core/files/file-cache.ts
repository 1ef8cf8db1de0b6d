/**
 * A memory cache for small, often requested files (chrome media above all). Reading a 10 KB
 * stylesheet from disk on every request is what keeps a plain static server at a fraction of a
 * front server's rate; from memory it costs one `stat`.
 *
 * Entries are keyed by absolute path and are used only while a stat of the file matches the
 * size, modification time and inode they were read with, so an edited or replaced file is
 * served new. The stat is repeated at most every `checkIntervalMs` (a second by default): a
 * stat costs about as much as the rest of sending a small file. Total bytes are bounded; the
 * least recently used entries go first.
 *
 * Compressed variants: a sibling `<file>.br` / `<file>.gz` at least as new as the file is used
 * as is (a deploy step may have made it with maximum effort); otherwise a textual file is
 * compressed once, in memory, when it is cached. Variants are only offered to clients whose
 * Accept-Encoding allows them.
 */
import fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { fileValidators, type FileValidators } from './conditional';
import { isCompressible, mediaTypeFor } from './mime';

export type ContentCoding = 'br' | 'gzip';

export interface CachedVariant {
  body: Buffer;
  validators: FileValidators;
  /** Undefined for the identity (uncompressed) body. */
  coding?: ContentCoding;
}

export interface CachedFile {
  identity: CachedVariant;
  /** Compressed variants, best first (br before gzip). */
  encoded: CachedVariant[];
  size: number;
  mtimeMs: number;
  ino: number;
  /** Bytes this entry holds, all variants together. */
  bytes: number;
  /** When a stat last confirmed the entry (ms since the epoch). */
  checkedAt: number;
}

export interface FileCacheOptions {
  /** Upper bound on bytes held by all entries together; 0 disables the cache. */
  maxBytes: number;
  /** Files larger than this are streamed from disk and never cached. */
  maxFileBytes: number;
  /**
   * For this many milliseconds after a stat confirmed an entry it is served without another
   * (as nginx's open_file_cache_valid); 0 checks on every request.
   */
  checkIntervalMs?: number;
}

const brotliCompress = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Compressing tiny files saves nothing worth a Vary header. */
const MIN_COMPRESS_BYTES = 1024;

const SIBLINGS: Array<[ContentCoding, string]> = [['br', '.br'], ['gzip', '.gz']];

function sameFile(entry: CachedFile, stat: Stats): boolean {
  return entry.size === stat.size && entry.mtimeMs === stat.mtimeMs && entry.ino === stat.ino;
}

export class FileCache {
  private readonly entries = new Map<string, CachedFile>();
  private readonly filling = new Map<string, Promise<CachedFile | undefined>>();
  private totalBytes = 0;

  constructor(readonly options: FileCacheOptions) {}

  /** Whether a file of this size would be cached. */
  accepts(stat: Stats): boolean {
    return this.options.maxBytes > 0 && stat.isFile() && stat.size <= this.options.maxFileBytes &&
      stat.size <= this.options.maxBytes;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.totalBytes };
  }

  /** The entry for `filePath` when a stat confirmed it less than checkIntervalMs ago. */
  recent(filePath: string): CachedFile | undefined {
    const interval = this.options.checkIntervalMs ?? 0;
    if (interval <= 0) return undefined;
    const entry = this.entries.get(filePath);
    return entry && Date.now() - entry.checkedAt < interval ? entry : undefined;
  }

  /**
   * The cached file for `filePath` when `stat` (taken just now) still describes it, reading and
   * caching it when it is small enough; undefined when the file must be streamed instead.
   */
  async lookup(filePath: string, stat: Stats): Promise<CachedFile | undefined> {
    const entry = this.entries.get(filePath);
    if (entry && sameFile(entry, stat)) {
      entry.checkedAt = Date.now();
      // Map order is the recency order: move a hit to the end.
      this.entries.delete(filePath);
      this.entries.set(filePath, entry);
      return entry;
    }
    if (entry) this.remove(filePath);
    if (!this.accepts(stat)) return undefined;

    const pending = this.filling.get(filePath);
    if (pending) {
      const filled = await pending;
      return filled && sameFile(filled, stat) ? filled : undefined;
    }
    const filling = this.fill(filePath, stat).finally(() => this.filling.delete(filePath));
    this.filling.set(filePath, filling);
    return filling;
  }

  /** Drops the entry for a file that was just replaced or removed by this process. */
  forget(filePath: string): void {
    this.remove(filePath);
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private remove(filePath: string): void {
    const entry = this.entries.get(filePath);
    if (!entry) return;
    this.entries.delete(filePath);
    this.totalBytes -= entry.bytes;
  }

  private async fill(filePath: string, stat: Stats): Promise<CachedFile | undefined> {
    const body = await fs.readFile(filePath).catch(() => undefined);
    // A file that changed between the stat and the read is served from disk this time.
    if (body === undefined || body.length !== stat.size) return undefined;

    const encoded = await this.variants(filePath, stat, body);
    const entry: CachedFile = {
      identity: { body, validators: fileValidators(stat) },
      encoded,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      ino: stat.ino,
      checkedAt: Date.now(),
      bytes: body.length + encoded.reduce((sum, variant) => sum + variant.body.length, 0),
    };
    if (entry.bytes > this.options.maxBytes) return entry;

    this.remove(filePath);
    this.entries.set(filePath, entry);
    this.totalBytes += entry.bytes;
    this.evict();
    return entry;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.totalBytes <= this.options.maxBytes) break;
      this.remove(key);
    }
  }

  private async variants(filePath: string, stat: Stats, body: Buffer): Promise<CachedVariant[]> {
    const found: CachedVariant[] = [];
    for (const [coding, suffix] of SIBLINGS) {
      const sibling = await this.readSibling(filePath + suffix, stat);
      if (sibling) found.push({ body: sibling, coding, validators: fileValidators(stat, `-${coding}`) });
    }
    if (found.length > 0 || body.length < MIN_COMPRESS_BYTES) return found;
    if (!isCompressible(mediaTypeFor(filePath))) return found;

    const [br, gz] = await Promise.all([
      brotliCompress(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
      gzip(body, { level: 9 }),
    ]);
    // Keep a variant only when it saves a tenth or more.
    for (const [coding, compressed] of [['br', br], ['gzip', gz]] as const) {
      if (compressed.length <= body.length * 0.9) {
        found.push({ body: compressed, coding, validators: fileValidators(stat, `-${coding}`) });
      }
    }
    return found;
  }

  private async readSibling(siblingPath: string, original: Stats): Promise<Buffer | undefined> {
    try {
      const stat = await fs.stat(siblingPath);
      if (!stat.isFile() || stat.mtimeMs < original.mtimeMs) return undefined;
      if (stat.size > this.options.maxFileBytes) return undefined;
      const body = await fs.readFile(siblingPath);
      return body.length === stat.size ? body : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The codings a client accepts, RFC 9110 §12.5.3: a coding listed with q=0 is refused, `*`
 * stands for any coding not listed.
 */
export function acceptedCodings(header: string | undefined): Set<ContentCoding> {
  const accepted = new Set<ContentCoding>();
  if (!header) return accepted;

  const weights = new Map<string, number>();
  for (const item of header.split(',')) {
    const [name, ...params] = item.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name === 'x-gzip' ? 'gzip' : name, Number.isNaN(weight) ? 0 : weight);
  }
  for (const coding of ['br', 'gzip'] as const) {
    const weight = weights.get(coding) ?? weights.get('*') ?? 0;
    if (weight > 0) accepted.add(coding);
  }
  return accepted;
}
