/**
 * An environment's configuration: its conf/trac.ini plus the files named by `[inherit] file`,
 * looked up the way Trac does it. The environment's own file wins; then each inherited file in
 * the order listed, each followed by the files it inherits in turn.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { OptionSpec, OptionValue } from './options';
import type { ConfigView } from './types';
import { INHERIT_FILE } from './config-options';
import type { IniDocument } from './ini-document';
import { readIniFile } from './ini-file';
import { defaultValue, parseOptionValue } from './option-values';

/** One file of the chain. */
export interface ConfigLayer {
  file: string;
  document: IniDocument;
}

type Cached = { value: unknown } | { error: unknown };

export class Config implements ConfigView {
  readonly files: readonly string[];
  private readonly parsed = new WeakMap<OptionSpec, Cached>();

  /** `layers` in lookup order: the environment's own file first. */
  constructor(private readonly layers: readonly ConfigLayer[], readonly envPath: string) {
    this.files = layers.map((layer) => layer.file);
  }

  option<S extends OptionSpec>(spec: S): OptionValue<S> {
    let cached = this.parsed.get(spec);
    if (!cached) {
      try {
        cached = { value: this.parse(spec) };
      } catch (error) {
        cached = { error };
      }
      this.parsed.set(spec, cached);
    }
    if ('error' in cached) throw cached.error;
    return (Array.isArray(cached.value) ? [...cached.value] : cached.value) as OptionValue<S>;
  }

  raw(section: string, key: string): string | undefined {
    return this.layerOf(section, key)?.document.get(section, key);
  }

  /** The file that sets a key (the one whose value counts), or undefined. */
  sourceOf(section: string, key: string): string | undefined {
    return this.layerOf(section, key)?.file;
  }

  section(section: string): Array<[key: string, value: string]> {
    const keys = new Set<string>();
    for (const layer of [...this.layers].reverse()) {
      for (const [key] of layer.document.entries(section)) keys.add(key);
    }
    return [...keys].map((key) => [key, this.raw(section, key) ?? '']);
  }

  sections(): string[] {
    const names = new Set<string>();
    for (const layer of [...this.layers].reverse()) {
      for (const name of layer.document.sections()) names.add(name);
    }
    return [...names];
  }

  private layerOf(section: string, key: string): ConfigLayer | undefined {
    return this.layers.find((layer) => layer.document.has(section, key));
  }

  private parse<S extends OptionSpec>(spec: S): OptionValue<S> {
    const layer = this.layerOf(spec.section, spec.name);
    if (!layer) return defaultValue(spec, this.envPath);
    const raw = layer.document.get(spec.section, spec.name) ?? '';
    const origin = {
      file: layer.file, section: spec.section, key: spec.name,
      line: layer.document.lineOf(spec.section, spec.name),
    };
    return parseOptionValue(spec, raw, origin, this.envPath);
  }
}

async function identityOf(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * Reads `iniPath` and, depth first, the files its `[inherit] file` names (relative names
 * resolve against the folder of the file naming them). A file reached twice is read once, so
 * a cycle ends. A missing own file or inherited file is GH_ERR_CONFIG_UNREADABLE.
 */
export async function loadConfig(iniPath: string, options: { envPath?: string } = {}): Promise<Config> {
  const ownFile = path.resolve(iniPath);
  const envPath = path.resolve(options.envPath ?? path.dirname(path.dirname(ownFile)));
  const layers: ConfigLayer[] = [];
  const seen = new Set<string>();

  const visit = async (file: string, namedBy?: string): Promise<void> => {
    const identity = await identityOf(file);
    if (seen.has(identity)) return;
    seen.add(identity);

    const context = namedBy ? ` (named by [inherit] file in ${namedBy})` : '';
    const { document } = await readIniFile(file, context);
    layers.push({ file, document });

    const named = document.get(INHERIT_FILE.section, INHERIT_FILE.name) ?? '';
    const origin = { file, section: INHERIT_FILE.section, key: INHERIT_FILE.name };
    for (const parent of parseOptionValue(INHERIT_FILE, named, origin, envPath)) {
      await visit(path.resolve(path.dirname(file), parent), file);
    }
  };

  await visit(ownFile);
  return new Config(layers, envPath);
}

/**
 * A cheap token that changes when any of the files changes: inode, size and modification time
 * of each (a missing file counts as its own state). Atomic writes replace the inode, so even a
 * same-size edit within one clock tick is seen.
 */
export async function configFingerprint(files: readonly string[]): Promise<string> {
  const states = await Promise.all(files.map(async (file) => {
    try {
      const stat = await fs.stat(file, { bigint: true });
      return `${file}\0${stat.ino}\0${stat.size}\0${stat.mtimeNs}\0${stat.ctimeNs}`;
    } catch (error) {
      return `${file}\0missing:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
    }
  }));
  return createHash('sha256').update(states.join('\n')).digest('hex');
}
