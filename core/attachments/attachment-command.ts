/**
 * `gatehouse-admin ENV attachment list|add|remove|export`, with trac-admin's argument order.
 * Files added here are not bound by [attachment] max_size (trac-admin does not bound them
 * either); names are cleaned and numbered (`foo.2.txt`) as for uploads.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { injectable } from 'tsyringe';
import type { AdminCommand, CliIo } from '../cli/types';
import type { Environment } from '../env/types';
import { Errors, GatehouseError } from '../errors';
import { formatTable } from '../perm/text-table';
import { AttachmentErrors } from './attachment-errors';
import { prettySize } from './attachment-pages';
import { AttachmentStore } from './attachment-store';
import { cleanFileName } from './file-name';
import { parseResource } from './resource';

const usage = `usage: gatehouse-admin ENV attachment list RESOURCE
       gatehouse-admin ENV attachment add RESOURCE PATH [--author NAME] [--description TEXT]
       gatehouse-admin ENV attachment remove RESOURCE NAME
       gatehouse-admin ENV attachment export RESOURCE NAME [DESTINATION]

RESOURCE is realm:id, as in trac-admin: wiki:WikiStart, ticket:12, wiki:Parent/Child.
add copies PATH in (author "trac" unless given; trac-admin's positional AUTHOR and
DESCRIPTION after PATH work too); a name already taken becomes name.2.ext.
export writes to DESTINATION (a file, or a folder to write NAME into), or to standard
output when DESTINATION is omitted or "-"; it refuses to overwrite a file.`;

function usageError(message?: string): GatehouseError {
  return new GatehouseError(Errors.CLI_USAGE, { message: message ? `${message}\n${usage}` : usage });
}

function isoTime(microseconds: number): string {
  return new Date(Math.floor(microseconds / 1000)).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Splits `--author A` / `--author=A` flags from positional arguments. */
function parseFlags(args: string[], names: string[]): { flags: Map<string, string>; rest: string[] } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const name = names.find((n) => arg === `--${n}` || arg.startsWith(`--${n}=`));
    if (!name) {
      rest.push(arg);
      continue;
    }
    if (arg.includes('=')) {
      flags.set(name, arg.slice(arg.indexOf('=') + 1));
    } else {
      if (i + 1 >= args.length) throw usageError(`--${name} needs a value`);
      flags.set(name, args[(i += 1)]);
    }
  }
  return { flags, rest };
}

@injectable()
export class AttachmentAdminCommand implements AdminCommand {
  readonly name = 'attachment';
  readonly summary = 'list, add, remove or export attachments';
  readonly usage = usage;

  async run(env: Environment, args: string[], io: CliIo): Promise<number> {
    const [action, resource, ...rest] = args;
    if (!action || !resource) throw usageError();
    const ref = parseResource(resource);
    const store = new AttachmentStore(env);

    switch (action) {
      case 'list': {
        if (rest.length > 0) throw usageError();
        const rows = (await store.list(ref)).map((record) => [record.filename,
          prettySize(record.size), record.author, isoTime(record.time), record.description]);
        for (const line of formatTable(['Name', 'Size', 'Author', 'Date', 'Description'], rows)) {
          io.out(line);
        }
        return 0;
      }
      case 'add': {
        const { flags, rest: positional } = parseFlags(rest, ['author', 'description']);
        const [source, author, description, ...extra] = positional;
        if (!source || extra.length > 0) throw usageError();
        const stat = await fs.stat(source).catch(() => undefined);
        if (!stat?.isFile()) throw usageError(`${source} is not a file`);
        const filename = cleanFileName(path.basename(source));
        if (filename === '') throw new GatehouseError(AttachmentErrors.BAD_NAME, { filename: source });
        const record = await store.addFile(ref, source, {
          filename, author: flags.get('author') ?? author ?? 'trac',
          description: flags.get('description') ?? description ?? '',
        });
        io.out(`added ${record.filename} (${record.size} bytes) to ${resource}`);
        return 0;
      }
      case 'remove': {
        const [name, ...extra] = rest;
        if (!name || extra.length > 0) throw usageError();
        await store.remove(ref, name);
        io.out(`removed ${name} from ${resource}`);
        return 0;
      }
      case 'export': {
        const [name, destination, ...extra] = rest;
        if (!name || extra.length > 0) throw usageError();
        const record = await store.require(ref, name);
        await exportTo(store.filePath(ref, record.filename), record.filename, destination);
        return 0;
      }
      default:
        throw usageError(`unknown action "${action}"`);
    }
  }
}

async function exportTo(file: string, filename: string, destination: string | undefined): Promise<void> {
  if (destination === undefined || destination === '-') {
    await pipeline(createReadStream(file), process.stdout, { end: false });
    return;
  }
  const stat = await fs.stat(destination).catch(() => undefined);
  const target = stat?.isDirectory() ? path.join(destination, filename) : destination;
  // 'wx' refuses an existing file, as trac-admin does.
  try {
    await pipeline(createReadStream(file), createWriteStream(target, { flags: 'wx' }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new GatehouseError(AttachmentErrors.EXPORT_EXISTS, { path: target });
    }
    throw error;
  }
}
