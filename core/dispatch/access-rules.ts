/**
 * Allow/deny by client network, per path: `[access] allow_from/deny_from` apply everywhere;
 * `[access:/path]` sections apply below that path, the longest matching path deciding.
 * Deny wins over allow; an empty allow list allows everyone.
 */
import net from 'node:net';
import type { ConfigView } from '../config/types';
import { Errors, GatehouseError } from '../errors';

interface Rule {
  path: string;
  allow: net.BlockList | undefined;
  deny: net.BlockList | undefined;
}

interface Where {
  file: string;
  section: string;
  key: string;
}

function addAddress(list: net.BlockList, entry: string, where: Where): void {
  const [address, prefix, extra] = entry.split('/');
  const family = net.isIPv6(address) ? 'ipv6' : net.isIPv4(address) ? 'ipv4' : undefined;
  if (!family || extra !== undefined) {
    throw new GatehouseError(Errors.CONFIG_VALUE, { ...where,
      value: entry, expected: 'an IPv4 or IPv6 address or CIDR network' });
  }
  if (prefix === undefined) {
    list.addAddress(address, family);
    return;
  }
  const bits = Number(prefix);
  const max = family === 'ipv6' ? 128 : 32;
  if (!/^\d+$/.test(prefix) || bits > max) {
    throw new GatehouseError(Errors.CONFIG_VALUE, { ...where,
      value: entry, expected: `a CIDR prefix length from 0 to ${max}` });
  }
  list.addSubnet(address, bits, family);
}

function listFrom(config: ConfigView, section: string, key: string): net.BlockList | undefined {
  const raw = config.raw(section, key);
  if (!raw) return undefined;
  const entries = raw.split(',').map((item) => item.trim()).filter(Boolean);
  if (entries.length === 0) return undefined;
  const list = new net.BlockList();
  const where = { file: config.sourceOf?.(section, key) ?? config.files[0] ?? 'trac.ini', section, key };
  for (const entry of entries) addAddress(list, entry, where);
  return list;
}

/** Compiles the rules of one environment's configuration (validated once per open). */
export function compileAccessRules(config: ConfigView): Rule[] {
  const rules: Rule[] = [];
  for (const section of config.sections()) {
    if (section !== 'access' && !section.startsWith('access:')) continue;
    const rulePath = section === 'access' ? '/' : section.slice('access:'.length);
    rules.push({ path: rulePath, allow: listFrom(config, section, 'allow_from'), deny: listFrom(config, section, 'deny_from') });
  }
  return rules.sort((a, b) => b.path.length - a.path.length);
}

function under(pathInfo: string, rulePath: string): boolean {
  if (rulePath === '/' || rulePath === '') return true;
  const base = rulePath.endsWith('/') ? rulePath.slice(0, -1) : rulePath;
  return pathInfo === base || pathInfo.startsWith(`${base}/`);
}

function contains(list: net.BlockList, address: string): boolean {
  const plain = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  return list.check(plain, net.isIPv6(plain) ? 'ipv6' : 'ipv4');
}

/** Throws GH_ERR_ACCESS_DENIED_NETWORK when the client may not reach this path. */
export function enforceAccessRules(rules: Rule[], pathInfo: string, address: string): void {
  const rule = rules.find((candidate) => under(pathInfo, candidate.path));
  if (!rule) return;
  // An address that is not an IP (a forwarded header with garbage or a port) fails closed.
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  const denied = (!net.isIP(plain) && (rule.deny || rule.allow))
    || (rule.deny && contains(rule.deny, address)) || (rule.allow && !contains(rule.allow, address));
  if (denied) throw new GatehouseError(Errors.ACCESS_DENIED_NETWORK, { address, path: pathInfo });
}
