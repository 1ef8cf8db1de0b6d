import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { GatehouseError } from '../errors';
import { configFingerprint, loadConfig } from './config';
import { setConfigValue } from './config-writer';
import { defineOption } from './options';

async function write(file: string, lines: string[]): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, lines.join('\n') + '\n');
  return file;
}

async function failure(promise: Promise<unknown>): Promise<GatehouseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** An environment whose trac.ini inherits a site file (which inherits a base) and another file. */
async function site(t: tap.Test) {
  const root = t.testdir();
  const env = path.join(root, 'projects', 'alpha');
  const own = await write(path.join(env, 'conf', 'trac.ini'), [
    '[inherit]',
    'file = ../../../shared/site.ini, /ABSOLUTE/other.ini',
    '',
    '[trac]',
    'base_url = https://alpha.example.org/',
    '[attachment]',
    'max_size = 1000',
  ]);
  const other = await write(path.join(root, 'elsewhere', 'other.ini'), [
    '[attachment]', 'render_unsafe_content = yes', '[logging]', 'log_level = DEBUG', 'log_type = file',
  ]);
  await fs.writeFile(own, (await fs.readFile(own, 'utf8')).replace('/ABSOLUTE/other.ini', other));
  const siteIni = await write(path.join(root, 'shared', 'site.ini'), [
    '[inherit]', 'file = base/base.ini', '[trac]', 'base_url = https://site.example.org/',
    'database = sqlite:db/trac.db', '[attachment]', 'max_size = 2000',
  ]);
  const base = await write(path.join(root, 'shared', 'base', 'base.ini'), [
    '[logging]', 'log_type = stderr', '[attachment]', 'max_size = 3000', 'render_unsafe_content = no',
    '[smtp]', 'enabled = true',
  ]);
  return { root, env, own, other, siteIni, base };
}

void t.test('inherit: two levels deep, own values first, Trac\'s lookup order', async (t) => {
  const files = await site(t);
  const config = await loadConfig(files.own, { envPath: files.env });

  t.same(config.files, [files.own, files.siteIni, files.base, files.other],
    'own file, then each inherited file followed by what it inherits');
  t.equal(config.raw('trac', 'base_url'), 'https://alpha.example.org/', 'the environment overrides');
  t.equal(config.raw('trac', 'database'), 'sqlite:db/trac.db', 'inherited one level');
  t.equal(config.raw('smtp', 'enabled'), 'true', 'inherited two levels');
  t.equal(config.raw('logging', 'log_type'), 'stderr', 'site\'s base comes before the second file');
  t.equal(config.raw('logging', 'log_level'), 'DEBUG');
  t.equal(config.raw('attachment', 'render_unsafe_content'), 'no');
  t.equal(config.raw('nothing', 'here'), undefined);

  t.equal(config.sourceOf('attachment', 'max_size'), files.own);
  t.equal(config.sourceOf('smtp', 'enabled'), files.base);
  t.equal(config.sourceOf('smtp', 'nothing'), undefined);

  t.same(config.section('attachment'), [['render_unsafe_content', 'no'], ['max_size', '1000']],
    'keys of inherited files first, each with the value that counts');
  t.same(config.sections().sort(), ['attachment', 'inherit', 'logging', 'smtp', 'trac']);
});

void t.test('inherit: a cycle is read once and ends', async (t) => {
  const root = t.testdir();
  const a = await write(path.join(root, 'env', 'conf', 'trac.ini'),
    ['[inherit]', 'file = ../../b.ini', '[x]', 'from_a = 1']);
  const b = await write(path.join(root, 'b.ini'), ['[inherit]', 'file = env/conf/trac.ini, b.ini', '[x]', 'from_b = 2']);
  const config = await loadConfig(a, { envPath: path.join(root, 'env') });
  t.same(config.files, [a, b]);
  t.equal(config.raw('x', 'from_b'), '2');
  t.equal(config.raw('inherit', 'file'), '../../b.ini', 'the own [inherit] counts');

  const self = await write(path.join(root, 'self.ini'), ['[inherit]', 'file = self.ini', '[x]', 'k = v']);
  t.same((await loadConfig(self, { envPath: root })).files, [self], 'a file inheriting itself');
});

void t.test('envPath defaults to the folder above conf/', async (t) => {
  const root = t.testdir();
  const own = await write(path.join(root, 'env', 'conf', 'trac.ini'), ['[x]', 'where = ../htdocs']);
  const config = await loadConfig(own);
  t.equal(config.envPath, path.join(root, 'env'));
  t.equal(config.option(defineOption({ section: 'x', name: 'where', type: 'path', default: '', doc: '' })),
    path.join(root, 'env', 'htdocs'), 'relative to conf/, where trac.ini is');
});

void t.test('option(): typed values, defaults and errors naming the file the value came from', async (t) => {
  const files = await site(t);
  await fs.appendFile(files.base, '[limits]\nworkers = many\n');
  const config = await loadConfig(files.own, { envPath: files.env });

  const maxSize = defineOption({ section: 'attachment', name: 'max_size', type: 'int', default: 262144, doc: '' });
  const unsafe = defineOption({
    section: 'attachment', name: 'render_unsafe_content', type: 'bool', default: true, doc: '',
  });
  const level = defineOption({
    section: 'logging', name: 'log_level', type: 'choice', default: 'WARNING', doc: '',
    choices: ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'],
  });
  const stores = defineOption({ section: 'account', name: 'stores', type: 'list', default: ['a', 'b'], doc: '' });
  const workers = defineOption({ section: 'limits', name: 'workers', type: 'int', default: 2, min: 1, doc: '' });

  t.equal(config.option(maxSize), 1000);
  t.equal(config.option(unsafe), false);
  t.equal(config.option(level), 'DEBUG');
  const list = config.option(stores);
  t.same(list, ['a', 'b'], 'unset: the default');
  list.push('mutated');
  t.same(config.option(stores), ['a', 'b'], 'callers get their own copy of a list');

  const error = await failure(Promise.resolve().then(() => config.option(workers)));
  t.equal(error.code, 'GH_ERR_CONFIG_VALUE');
  t.equal(error.message, `${files.base} [limits] workers = "many": expected an integer of at least 1`,
    'the inherited file that holds the value is named');
  t.equal(error.details.line, 9, "line 9 of base.ini");
  t.throws(() => config.option(workers), { code: 'GH_ERR_CONFIG_VALUE' }, 'asking again fails again');
});

void t.test('a missing or unreadable file is GH_ERR_CONFIG_UNREADABLE with the OS reason', async (t) => {
  const root = t.testdir({ env: { conf: {} } });
  const own = path.join(root, 'env', 'conf', 'trac.ini');

  const missing = await failure(loadConfig(own));
  t.equal(missing.code, 'GH_ERR_CONFIG_UNREADABLE');
  t.match(missing.message, `cannot read configuration file ${own}: ENOENT`);

  await fs.mkdir(own);
  const folder = await failure(loadConfig(own));
  t.match(folder.message, /EISDIR/);
  await fs.rmdir(own);

  await write(own, ['[inherit]', 'file = /nonexistent/global.ini']);
  const inherited = await failure(loadConfig(own));
  t.equal(inherited.code, 'GH_ERR_CONFIG_UNREADABLE');
  t.equal(inherited.details.file, '/nonexistent/global.ini');
  t.match(inherited.message, `(named by [inherit] file in ${own})`);
});

void t.test('broken lines and bad bytes name the file and line, own or inherited', async (t) => {
  const root = t.testdir();
  const own = await write(path.join(root, 'env', 'conf', 'trac.ini'), ['[inherit]', 'file = ../../site.ini']);
  const siteIni = await write(path.join(root, 'site.ini'), ['[a]', 'ok = 1', 'this line is broken']);
  const broken = await failure(loadConfig(own));
  t.equal(broken.code, 'GH_ERR_CONFIG_SYNTAX');
  t.match(broken.message, `${siteIni} line 3: expected "key = value"`);

  await fs.writeFile(siteIni, Buffer.concat([Buffer.from('[a]\nok = 1\nname = caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
  const latin1 = await failure(loadConfig(own));
  t.equal(latin1.code, 'GH_ERR_CONFIG_SYNTAX');
  t.equal(latin1.details.line, 3);
  t.match(latin1.message, /not valid UTF-8/);
});

void t.test('configFingerprint changes when a file is replaced, edited or removed', async (t) => {
  const files = await site(t);
  const config = await loadConfig(files.own, { envPath: files.env });
  const first = await configFingerprint(config.files);
  t.equal(await configFingerprint(config.files), first, 'stable while nothing changes');
  t.match(first, /^[0-9a-f]{64}$/);

  await setConfigValue(files.siteIni, 'trac', 'database', 'sqlite:db/other.db');
  const afterWrite = await configFingerprint(config.files);
  t.not(afterWrite, first, 'an atomic write to an inherited file is seen');

  const stamp = new Date('2020-01-02T03:04:05Z');
  await fs.utimes(files.base, stamp, stamp);
  const afterTouch = await configFingerprint(config.files);
  t.not(afterTouch, afterWrite, 'a new modification time is seen');

  await fs.rm(files.other);
  const afterRemove = await configFingerprint(config.files);
  t.not(afterRemove, afterTouch, 'a removed file is seen');
  t.equal(await configFingerprint(config.files), afterRemove, 'and stays the same while missing');
});
