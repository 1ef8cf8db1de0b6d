/**
 * Attachments of one environment: rows in Trac's `attachment` table and files in Trac's
 * layout (see attachment-path.ts). Uploads are written to a temporary file beside their final
 * place and only get a name and a row once complete, so a failed or refused upload leaves
 * nothing behind and a reader never sees half a file.
 */
import crypto from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Environment } from '../env/types';
import { fileCacheFor } from '../files/env-file-cache';
import { GatehouseError } from '../errors';
import { AttachmentErrors } from './attachment-errors';
import { attachmentFile, resourceFolder } from './attachment-path';
import { numberedFileName } from './file-name';
import { resourceName, type ResourceRef } from './resource';

export interface AttachmentRecord extends ResourceRef {
  filename: string;
  size: number;
  /** Microseconds since the epoch, as Trac stores it. */
  time: number;
  description: string;
  author: string;
}

/** A received file waiting in its temporary place for a name. */
export interface IncomingFile {
  ref: ResourceRef;
  tempPath: string;
  size: number;
}

export interface CommitOptions {
  filename: string;
  author: string;
  description: string;
  /** Take the given name even if taken, replacing that attachment (the caller checked rights). */
  replace?: boolean;
}

/** Trac gives up after this many numbered names; so do we. */
const MAX_NAME_TRIES = 100;

const COLUMNS = 'type, id, filename, size, time, description, author';

interface Row {
  type: string;
  id: string;
  filename: string;
  size: unknown;
  time: unknown;
  description: string | null;
  author: string | null;
}

function toRecord(row: Row): AttachmentRecord {
  return {
    realm: row.type, id: row.id, filename: row.filename, size: Number(row.size ?? 0),
    time: Number(row.time ?? 0), description: row.description ?? '', author: row.author ?? '',
  };
}

export class AttachmentStore {
  constructor(private readonly env: Environment) {}

  async list(ref: ResourceRef): Promise<AttachmentRecord[]> {
    const rows = await this.env.db.all<Row>(
      `SELECT ${COLUMNS} FROM attachment WHERE type = ? AND id = ? ORDER BY time, filename`,
      [ref.realm, ref.id]);
    return rows.map(toRecord);
  }

  async get(ref: ResourceRef, filename: string): Promise<AttachmentRecord | undefined> {
    const row = await this.env.db.get<Row>(
      `SELECT ${COLUMNS} FROM attachment WHERE type = ? AND id = ? AND filename = ?`,
      [ref.realm, ref.id, filename]);
    return row ? toRecord(row) : undefined;
  }

  /** The record, or GH_ERR_ATTACHMENT_NOT_FOUND. */
  async require(ref: ResourceRef, filename: string): Promise<AttachmentRecord> {
    const record = await this.get(ref, filename);
    if (!record) {
      throw new GatehouseError(AttachmentErrors.NOT_FOUND, { filename, resource: resourceName(ref) });
    }
    return record;
  }

  filePath(ref: ResourceRef, filename: string): string {
    return attachmentFile(this.env.path, ref.realm, ref.id, filename);
  }

  /**
   * Streams `source` into a temporary file in the resource's folder and counts its bytes.
   * The caller bounds the size (the upload parser truncates at [attachment] max_size).
   */
  async receive(ref: ResourceRef, source: Readable): Promise<IncomingFile> {
    const folder = resourceFolder(this.env.path, ref.realm, ref.id);
    await fs.mkdir(folder, { recursive: true });
    const tempPath = path.join(folder, `.upload-${crypto.randomBytes(8).toString('hex')}`);

    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, counter, createWriteStream(tempPath, { flags: 'wx', highWaterMark: 256 * 1024 }));
    } catch (error) {
      await fs.rm(tempPath, { force: true });
      throw error;
    }
    return { ref, tempPath, size };
  }

  async discard(incoming: IncomingFile): Promise<void> {
    await fs.rm(incoming.tempPath, { force: true });
  }

  /**
   * Gives a received file its name and its row. A taken name becomes `name.2.ext`,
   * `name.3.ext`, ... unless `replace` is set. The name is claimed on disk with an exclusive
   * create before the file is moved over it, so two uploads of the same name at once cannot
   * take the same place.
   */
  async commit(incoming: IncomingFile, options: CommitOptions): Promise<AttachmentRecord> {
    const { ref } = incoming;
    try {
      if (options.replace && (await this.get(ref, options.filename))) {
        return await this.replaceExisting(incoming, options);
      }
      for (let index = 1; index <= MAX_NAME_TRIES; index += 1) {
        const filename = index === 1 ? options.filename : numberedFileName(options.filename, index);
        if (await this.get(ref, filename)) continue;
        const target = this.filePath(ref, filename);
        if (!(await claim(target))) continue;

        await fs.rename(incoming.tempPath, target);
        const record = this.record(incoming, filename, options);
        try {
          await this.insert(record);
          return record;
        } catch (error) {
          // Another upload took the row in between: move the bytes back and try the next name.
          if (!(await this.get(ref, filename))) {
            await fs.rm(target, { force: true });
            throw error;
          }
          await fs.rename(target, incoming.tempPath);
          await fs.rm(target, { force: true });
        }
      }
      throw new GatehouseError(AttachmentErrors.NAME_EXHAUSTED,
        { filename: options.filename, resource: resourceName(ref) });
    } finally {
      await fs.rm(incoming.tempPath, { force: true });
    }
  }

  /** Copies a local file in (`attachment add`); no size bound, as with trac-admin. */
  async addFile(ref: ResourceRef, sourcePath: string,
    options: Omit<CommitOptions, 'replace'>): Promise<AttachmentRecord> {
    const handle = await fs.open(sourcePath, 'r');
    try {
      const incoming = await this.receive(ref, handle.createReadStream({ autoClose: false }));
      return await this.commit(incoming, options);
    } finally {
      await handle.close();
    }
  }

  /** Removes the row and the file (and the resource's folder once empty). */
  async remove(ref: ResourceRef, filename: string): Promise<void> {
    await this.require(ref, filename);
    await this.env.db.run('DELETE FROM attachment WHERE type = ? AND id = ? AND filename = ?',
      [ref.realm, ref.id, filename]);

    const file = this.filePath(ref, filename);
    await fs.rm(file, { force: true });
    fileCacheFor(this.env).forget(file);
    // Empty folders go as Trac leaves them tidy; a folder still in use refuses rmdir.
    const folder = path.dirname(file);
    await fs.rmdir(folder).catch(() => undefined);
    await fs.rmdir(path.dirname(folder)).catch(() => undefined);
  }

  private async replaceExisting(incoming: IncomingFile,
    options: CommitOptions): Promise<AttachmentRecord> {
    const record = this.record(incoming, options.filename, options);
    const target = this.filePath(incoming.ref, options.filename);
    await fs.rename(incoming.tempPath, target);
    // The memory cache would serve the old bytes until its next check.
    fileCacheFor(this.env).forget(target);
    await this.env.db.transaction(async (tx) => {
      await tx.run('DELETE FROM attachment WHERE type = ? AND id = ? AND filename = ?',
        [record.realm, record.id, record.filename]);
      await tx.run(`INSERT INTO attachment (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, params(record));
    });
    return record;
  }

  private record(incoming: IncomingFile, filename: string, options: CommitOptions): AttachmentRecord {
    return {
      ...incoming.ref, filename, size: incoming.size, time: Date.now() * 1000,
      description: options.description, author: options.author,
    };
  }

  private async insert(record: AttachmentRecord): Promise<void> {
    await this.env.db.run(`INSERT INTO attachment (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      params(record));
  }
}

function params(record: AttachmentRecord): Array<string | number> {
  return [record.realm, record.id, record.filename, record.size, record.time, record.description,
    record.author];
}

/** Creates `target` empty if it does not exist; false when it does (the name is taken). */
async function claim(target: string): Promise<boolean> {
  try {
    const handle = await fs.open(target, 'wx');
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
