/** The crypt(3) family by name: what the worker thread runs (kept free of any I/O). */
import { md5Crypt } from './md5-crypt';
import { shaCrypt } from './sha-crypt';
import { bsdiCrypt, desCrypt } from './des-crypt';

export type CryptFormat = 'md5' | 'sha' | 'des' | 'bsdi';

export function runCrypt(format: CryptFormat, password: Buffer, setting: string): string | null {
  switch (format) {
    case 'md5': return md5Crypt(password, setting);
    case 'sha': return shaCrypt(password, setting);
    case 'des': return desCrypt(password, setting);
    case 'bsdi': return bsdiCrypt(password, setting);
  }
}
