/**
 * bcrypt through the native `bcrypt` package (its work runs on libuv's thread pool, off the
 * event loop). Apache's `htpasswd -B` writes the `$2y$` prefix, which that package does not
 * accept; `$2y$` and `$2b$` name the same algorithm, so the prefix is rewritten for the check
 * and written back as `$2y$`, as Apache writes it.
 */
import bcrypt from 'bcrypt';

export async function bcryptVerify(password: Buffer, stored: string): Promise<boolean> {
  return bcrypt.compare(password, stored.replace(/^\$2y\$/, '$2b$'));
}

export async function bcryptHash(password: Buffer, cost: number): Promise<string> {
  return (await bcrypt.hash(password, cost)).replace(/^\$2[ab]\$/, '$2y$');
}
