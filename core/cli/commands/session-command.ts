/**
 * `gatehouse-admin ENV session list|delete`: signed-in users' sessions (Trac's `session` table)
 * and their active sign-ins (`auth_cookie` rows). Deleting a user's session signs them out
 * everywhere.
 */
import type { AdminCommand, CliIo } from '../types';
import type { Environment } from '../../env/types';
import { Errors, GatehouseError } from '../../errors';

const usage = `usage: gatehouse-admin ENV session list [SID...]
       gatehouse-admin ENV session delete SID [SID...]

SID is a user name for signed-in sessions; "anonymous" deletes every anonymous session.
Deleting a user's session also ends all of their sign-ins (trac_auth cookies).`;

function formatTime(seconds: number): string {
  return seconds ? new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : '-';
}

export const sessionCommand: AdminCommand = {
  name: 'session',
  summary: 'list or delete sessions and sign-ins',
  usage,
  async run(env: Environment, args: string[], io: CliIo): Promise<number> {
    const [action, ...sids] = args;
    if (action === 'list') {
      const sessions = await env.db.all<{ sid: string; authenticated: number; last_visit: number }>(
        'SELECT sid, authenticated, last_visit FROM session ORDER BY authenticated DESC, sid');
      const cookies = await env.db.all<{ name: string; count: number }>(
        'SELECT name, COUNT(*) AS count FROM auth_cookie GROUP BY name');
      const active = new Map(cookies.map((row) => [row.name, Number(row.count)]));
      const rows = sessions.filter((row) => sids.length === 0 || sids.includes(row.sid));
      io.out(`${'SID'.padEnd(24)}  Auth  ${'Last visit'.padEnd(20)}  Sign-ins`);
      io.out(`${'-'.repeat(24)}  ----  ${'-'.repeat(20)}  --------`);
      for (const row of rows) {
        io.out(`${row.sid.padEnd(24)}  ${String(Number(row.authenticated)).padEnd(4)}  ${formatTime(Number(row.last_visit)).padEnd(20)}  ${row.authenticated ? active.get(row.sid) ?? 0 : '-'}`);
      }
      return 0;
    }
    if (action === 'delete' && sids.length > 0) {
      let removed = 0;
      await env.db.transaction(async (tx) => {
        for (const sid of sids) {
          if (sid === 'anonymous') {
            await tx.run('DELETE FROM session_attribute WHERE authenticated = 0');
            removed += (await tx.run('DELETE FROM session WHERE authenticated = 0')).changes;
            continue;
          }
          await tx.run('DELETE FROM session_attribute WHERE sid = ? AND authenticated = 1', [sid]);
          removed += (await tx.run('DELETE FROM session WHERE sid = ? AND authenticated = 1', [sid])).changes;
          removed += (await tx.run('DELETE FROM auth_cookie WHERE name = ?', [sid])).changes;
        }
      });
      io.out(`deleted ${removed} session record(s)`);
      return 0;
    }
    throw new GatehouseError(Errors.CLI_USAGE, { message: usage });
  },
};
