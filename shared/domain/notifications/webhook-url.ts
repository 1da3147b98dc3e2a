/**
 * Which webhook URLs and addresses a recipient may point deliveries at. Recipient documents are written by
 * people outside this service, so a URL naming the metadata server or a loopback service must never be
 * fetched. Pure: the adapter resolves the host and connects only to an address these checks allowed.
 */

/** What an address is for; only `public` is reachable by a deployed sender. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

export interface WebhookUrlPolicy {
  /** Local stack only: its receiver listens on http://127.0.0.1. Never set in a deployment. */
  allowLoopback: boolean;
}

export interface WebhookTarget {
  url: URL;
  /** The host as it is resolved and presented (SNI, Host): lower case, no brackets. */
  hostname: string;
  /** The address when the host is an IP literal (already canonicalised by the URL parser). */
  literal: string | null;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Names that reach this machine or its network whatever DNS says (RFC 6761, RFC 6762, ICANN .internal). */
const LOCAL_NAME = /(^|\.)localhost$/;
const INTERNAL_NAME = /(^|\.)(internal|local|home\.arpa)$/;

/**
 * The URL as the sender will use it. WHATWG URL parsing canonicalises every IPv4 spelling (2130706433,
 * 0x7f.1, 0177.0.0.1, 127.1) to dotted decimal, so a literal is checked as the address it really is.
 */
export function parseWebhookUrl(raw: string, policy: WebhookUrlPolicy): Checked<WebhookTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'webhook URL is not a valid URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback))
    return { ok: false, reason: `webhook URL must use https (got ${url.protocol})` };
  if (url.username || url.password) return { ok: false, reason: 'webhook URL must not carry credentials' };
  const hostname = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (!hostname) return { ok: false, reason: 'webhook URL has no host' };
  // No IP literal ends in a name label, so these name checks need not skip literals.
  if (LOCAL_NAME.test(hostname) && !policy.allowLoopback)
    return { ok: false, reason: 'webhook host is a loopback name' };
  if (INTERNAL_NAME.test(hostname)) return { ok: false, reason: 'webhook host is an internal name' };
  const literal = parseIp(hostname) ? hostname : null;
  return { ok: true, value: { url, hostname, literal } };
}

/**
 * Refuses a target unless EVERY address its host resolves to may be reached: a name with one public and
 * one internal address is refused, since either could be the one connected to.
 */
export function checkAddresses(
  target: WebhookTarget,
  addresses: readonly string[],
  policy: WebhookUrlPolicy,
): Checked<string> {
  if (!addresses.length) return { ok: false, reason: 'webhook host resolves to no address' };
  for (const a of addresses) {
    const kind = classifyAddress(a);
    if (kind === null) return { ok: false, reason: 'webhook host resolves to an unparseable address' };
    if (kind === 'loopback' && policy.allowLoopback) continue;
    if (kind !== 'public')
      return { ok: false, reason: `webhook host resolves to a non-public address (${kind})` };
    // The local-only allowance covers plain http to loopback, not to the internet.
    if (target.url.protocol !== 'https:')
      return { ok: false, reason: 'plain http is allowed only to loopback (local stack)' };
  }
  return { ok: true, value: addresses[0] };
}

/** An IPv4 or IPv6 address (optionally bracketed or with a zone) as bytes; null if it is not one. */
export function parseIp(text: string): { family: 4 | 6; bytes: number[] } | null {
  const s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = parseIpv4(s);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(s);
  return v6 ? { family: 6, bytes: v6 } : null;
}

function parseIpv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

function parseIpv6(text: string): number[] | null {
  // Anything else than hex groups, colons and one trailing dotted quad fails the group check below.
  let s = text;
  const last = s.slice(s.lastIndexOf(':') + 1);
  if (last.includes('.')) {
    // Embedded dotted IPv4 (::ffff:127.0.0.1): rewritten as its two hex groups.
    const v4 = parseIpv4(last);
    if (!v4) return null;
    s = `${s.slice(0, s.length - last.length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (x: string) => (x === '' ? [] : x.split(':'));
  const left = group(halves[0]);
  const right = halves.length === 2 ? group(halves[1]) : [];
  if (![...left, ...right].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const known = left.length + right.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const groups = [
    ...left.map((g) => parseInt(g, 16)),
    ...Array<number>(8 - known).fill(0),
    ...right.map((g) => parseInt(g, 16)),
  ];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

const inBlock = (b: number[], prefix: number[], bits: number) => {
  for (let i = 0; i < bits; i++) {
    const bit = (x: number[]) => (x[i >> 3] >> (7 - (i & 7))) & 1;
    if (bit(b) !== bit(prefix)) return false;
  }
  return true;
};

/** IANA special-purpose IPv4 blocks (RFC 6890 and successors); everything else is public. */
const V4_BLOCKS: [number[], number, AddressClass][] = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'reserved'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'],
  [[198, 51, 100, 0], 24, 'reserved'],
  [[203, 0, 113, 0], 24, 'reserved'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

function classifyV4(b: number[]): AddressClass {
  for (const [prefix, bits, kind] of V4_BLOCKS) if (inBlock(b, prefix, bits)) return kind;
  return 'public';
}

const v6 = (text: string) => parseIpv6(text) as number[];

/** IPv6 blocks that carry an IPv4 address: judged by that address. */
const V6_EMBEDDING_V4: [number[], number, (b: number[]) => number[]][] = [
  [v6('::ffff:0:0'), 96, (b) => b.slice(12)], // IPv4-mapped
  [v6('64:ff9b::'), 96, (b) => b.slice(12)], // NAT64 well-known prefix
  [v6('2002::'), 16, (b) => b.slice(2, 6)], // 6to4
];

const V6_BLOCKS: [number[], number, AddressClass][] = [
  [v6('::'), 128, 'unspecified'],
  [v6('::1'), 128, 'loopback'],
  [v6('fc00::'), 7, 'unique-local'],
  [v6('fe80::'), 10, 'link-local'],
  [v6('fec0::'), 10, 'private'], // deprecated site-local
  [v6('ff00::'), 8, 'multicast'],
  [v6('2001::'), 23, 'reserved'], // IETF protocol assignments, Teredo
  [v6('2001:db8::'), 32, 'reserved'], // documentation
];

function classifyV6(b: number[]): AddressClass {
  for (const [prefix, bits, embedded] of V6_EMBEDDING_V4)
    if (inBlock(b, prefix, bits)) return classifyV4(embedded(b));
  for (const [prefix, bits, kind] of V6_BLOCKS) if (inBlock(b, prefix, bits)) return kind;
  // Only global unicast (2000::/3) is public; the rest of the space is unassigned or special.
  return (b[0] & 0xe0) === 0x20 ? 'public' : 'reserved';
}

/** The class of an address (IPv4, IPv6, IPv4-mapped IPv6); null if the text is not an address. */
export function classifyAddress(address: string): AddressClass | null {
  const ip = parseIp(address);
  if (!ip) return null;
  return ip.family === 4 ? classifyV4(ip.bytes) : classifyV6(ip.bytes);
}
