/**
 * `gatehouse-admin ENV permission` as a site owner runs it: the real executable on a real
 * environment made by initenv, with the core's components registered as the server does.
 */
import 'reflect-metadata';
import t from 'tap';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createEnvironment } from '../env/create-environment';

const bin = path.resolve(__dirname, '../../../bin/gatehouse-admin.js');

function admin(args: string[], stdin = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

void t.test('add, refuse, export and import through the real executable', async (t) => {
  const dir = t.testdir();
  const env = await createEnvironment(path.join(dir, 'alpha'));

  const added = await admin([env, 'permission', 'add', 'alice', 'TRAC_ADMIN', 'developers']);
  t.same(added, { status: 0, stdout: '', stderr: '' });

  const refused = await admin([env, 'permission', 'add', 'bob', 'ATTACHMENT_VIEW', 'trac_admin']);
  t.equal(refused.status, 2, 'a case-only difference exits with status 2');
  t.match(refused.stderr, /trac_admin is not a valid action \(it differs from the action TRAC_ADMIN only in case/);
  t.match(refused.stderr, /nothing was written/);

  const unknown = await admin([env, 'permission', 'add', 'bob', 'ATTACHMENT_VEIW']);
  t.equal(unknown.status, 2, 'an unknown action exits with status 2');

  const listed = await admin([env, 'permission', 'list']);
  t.equal(listed.status, 0);
  t.same(listed.stdout.split('\n').slice(0, 4), [
    'User   Action',
    '-----------------',
    'alice  TRAC_ADMIN',
    'alice  developers',
  ], 'bob got nothing');
  t.match(listed.stdout, /Available actions:\n ATTACHMENT_CREATE, ATTACHMENT_DELETE, ATTACHMENT_VIEW, CONFIG_VIEW,/);

  const csv = '"Smith, John",ATTACHMENT_VIEW,"say ""hi"""\r\nzoë,開発者\r\n';
  t.equal((await admin([env, 'permission', 'import'], csv)).status, 0, 'import from standard input');

  const file = path.join(dir, 'grants.csv');
  t.equal((await admin([env, 'permission', 'export', file])).status, 0);
  t.equal(await fs.readFile(file, 'utf8'), [
    '"Smith, John",ATTACHMENT_VIEW,"say ""hi"""',
    'alice,TRAC_ADMIN,developers',
    'zoë,開発者',
    '',
  ].join('\n'));

  const copy = await createEnvironment(path.join(dir, 'beta'));
  t.equal((await admin([copy, 'permission', 'import', file])).status, 0);
  t.equal((await admin([copy, 'permission', 'export'])).stdout,
    (await admin([env, 'permission', 'export'])).stdout, 'the copy has the same grants');
});
