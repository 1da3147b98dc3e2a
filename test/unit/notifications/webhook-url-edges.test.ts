/**
 * Edges of the webhook SSRF guard that webhook-ssrf.test.ts does not walk through: names that merely contain a
 * local suffix, hosts that are empty after the trailing dot, resolvers that answer nothing or garbage, every
 * IANA special-purpose IPv4 block at its first and last address, and IPv6 text that only looks like an
 * address. A wrong answer here either lets a request reach an internal service or refuses a customer's
 * legitimate public endpoint.
 */
import {
  checkAddresses,
  classifyAddress,
  parseIp,
  parseWebhookUrl,
  type WebhookTarget,
} from '../../../shared/domain/notifications/webhook-url';

const DEPLOYED = { allowLoopback: false };
const LOCAL = { allowLoopback: true };
const reasonOf = (url: string, policy = DEPLOYED) => {
  const r = parseWebhookUrl(url, policy);
  return r.ok ? 'ok' : r.reason;
};
const target = (url: string, policy = DEPLOYED): WebhookTarget => {
  const r = parseWebhookUrl(url, policy);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe('webhook URL names', () => {
  it('refuses local and internal names at any depth, but not public names that merely contain those words', () => {
    expect(reasonOf('https://nas.local/hook')).toBe('webhook host is an internal name');
    expect(reasonOf('https://local/hook')).toBe('webhook host is an internal name');
    expect(reasonOf('https://internal/hook')).toBe('webhook host is an internal name');
    expect(reasonOf('https://home.arpa/hook')).toBe('webhook host is an internal name');
    expect(reasonOf('https://router.home.arpa/hook')).toBe('webhook host is an internal name');
    expect(reasonOf('https://localhost/hook')).toBe('webhook host is a loopback name');
    for (const url of [
      'https://localhost.example.com/hook',
      'https://internal.example.com/hook',
      'https://local.example.com/hook',
      'https://mylocal/hook',
      'https://notinternal/hook',
      'https://mylocalhost.example/hook',
      'https://home.arpa.example.com/hook',
    ])
      expect([url, reasonOf(url)]).toEqual([url, 'ok']);
  });

  it('lets the local stack use localhost, but never an internal name', () => {
    expect(reasonOf('http://localhost:8080/hook', LOCAL)).toBe('ok');
    expect(reasonOf('https://metadata.google.internal/', LOCAL)).toBe('webhook host is an internal name');
  });

  it('refuses plain http in a deployment, and any scheme but http(s) even on the local stack', () => {
    expect(reasonOf('http://hooks.example.com/')).toBe('webhook URL must use https (got http:)');
    expect(reasonOf('ftp://127.0.0.1/', LOCAL)).toBe('webhook URL must use https (got ftp:)');
    expect(reasonOf('https://hooks.example.com/')).toBe('ok');
  });

  it('refuses a host that is only dots', () => {
    expect(reasonOf('https://./hook')).toBe('webhook URL has no host');
  });

  it('presents the host in lower case without brackets or the trailing dot, and keeps the URL', () => {
    expect(target('https://Hooks.Example.COM./a?b=1')).toMatchObject({
      hostname: 'hooks.example.com',
      literal: null,
    });
    expect(target('https://hooks.example.com/a?b=1').url.href).toBe('https://hooks.example.com/a?b=1');
    expect(target('https://[2606:4700::1111]:8443/')).toMatchObject({
      hostname: '2606:4700::1111',
      literal: '2606:4700::1111',
    });
    expect(target('https://93.184.216.34./')).toMatchObject({ literal: '93.184.216.34' });
  });
});

describe('resolved addresses', () => {
  const hooks = target('https://hooks.example.com/');

  it('refuses a name that resolves to nothing or to something that is not an address', () => {
    expect(checkAddresses(hooks, [], DEPLOYED)).toEqual({
      ok: false,
      reason: 'webhook host resolves to no address',
    });
    expect(checkAddresses(hooks, ['93.184.216.34', 'not-an-ip'], DEPLOYED)).toEqual({
      ok: false,
      reason: 'webhook host resolves to an unparseable address',
    });
  });

  it('connects to the first address when every one is public', () => {
    expect(checkAddresses(hooks, ['93.184.216.34', '2606:4700::1111'], DEPLOYED)).toEqual({
      ok: true,
      value: '93.184.216.34',
    });
  });

  it('on the local stack admits loopback (v4 and v6) over http, and nothing private', () => {
    const local = target('http://localhost:9/', LOCAL);
    expect(checkAddresses(local, ['127.0.0.1', '::1'], LOCAL)).toEqual({ ok: true, value: '127.0.0.1' });
    expect(checkAddresses(local, ['127.0.0.1'], DEPLOYED)).toEqual({
      ok: false,
      reason: 'webhook host resolves to a non-public address (loopback)',
    });
    expect(checkAddresses(local, ['127.0.0.1', '10.0.0.1'], LOCAL)).toEqual({
      ok: false,
      reason: 'webhook host resolves to a non-public address (private)',
    });
  });
});

describe('IPv4 special-purpose blocks, at their first and last address', () => {
  it.each([
    ['0.0.0.1', 'unspecified'],
    ['0.255.255.255', 'unspecified'],
    ['1.0.0.0', 'public'],
    ['9.255.255.255', 'public'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['126.255.255.255', 'public'],
    ['128.0.0.0', 'public'],
    ['169.253.255.255', 'public'],
    ['169.254.0.0', 'link-local'],
    ['169.255.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['192.0.0.0', 'reserved'],
    ['192.0.0.255', 'reserved'],
    ['192.0.1.0', 'public'],
    ['192.0.2.255', 'reserved'],
    ['192.0.3.0', 'public'],
    ['192.88.99.0', 'reserved'],
    ['192.88.99.255', 'reserved'],
    ['192.88.98.255', 'public'],
    ['192.167.255.255', 'public'],
    ['192.168.255.255', 'private'],
    ['192.169.0.0', 'public'],
    ['198.17.255.255', 'public'],
    ['198.18.0.0', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.20.0.0', 'public'],
    ['198.51.100.0', 'reserved'],
    ['198.51.100.255', 'reserved'],
    ['198.51.101.0', 'public'],
    ['203.0.113.0', 'reserved'],
    ['203.0.113.255', 'reserved'],
    ['203.0.114.0', 'public'],
    ['223.255.255.255', 'public'],
    ['239.255.255.255', 'multicast'],
    ['255.255.255.254', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('what counts as an address', () => {
  it.each([
    ['1.2.3.4', [1, 2, 3, 4]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
  ])('%s is IPv4 %j', (text, bytes) => {
    expect(parseIp(text)).toEqual({ family: 4, bytes });
  });

  it.each([
    '256.0.0.1',
    '1.2.3.256',
    '01.2.3.4',
    '1.2.3.4x',
    'x1.2.3.4',
    '1.2.3.1000',
    '1.2.3.4.5',
    '1.2.3.',
    '',
    '::g',
    ':::1',
    'x::1',
    '::1x',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4::5:6:7:8',
    '12345::1',
    '::ffff:1.2.3.256',
    '::ffff:1.2.3',
    '1::12345',
    '1.2::3',
  ])('%j is not an address', (text) => {
    expect(parseIp(text)).toBeNull();
    expect(classifyAddress(text)).toBeNull();
  });

  it('reads IPv6 in full, compressed at either end or in the middle, with an embedded IPv4 or a zone', () => {
    const v6 = (text: string) => parseIp(text)?.bytes;
    expect(v6('1:2:3:4:5:6:7:8')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(v6('1:2:3::8')).toEqual([0, 1, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8]);
    expect(v6('1::')).toEqual([0, 1, ...Array<number>(14).fill(0)]);
    expect(v6('::abcd')).toEqual([...Array<number>(14).fill(0), 0xab, 0xcd]);
    expect(v6('1:2:3:4:5:6:7::')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]);
    expect(v6('::ffff:192.168.1.2')).toEqual([...Array<number>(10).fill(0), 255, 255, 192, 168, 1, 2]);
    expect(v6('FE80::1%eth0')).toEqual([0xfe, 0x80, ...Array<number>(13).fill(0), 1]);
    expect(v6('[::1]')).toEqual([...Array<number>(15).fill(0), 1]);
    expect(parseIp('::1')?.family).toBe(6);
  });

  it('judges an address carried in IPv6 by the IPv4 inside it, and the rest of IPv6 by its block', () => {
    expect(classifyAddress('::ffff:10.1.2.3')).toBe('private');
    expect(classifyAddress('64:ff9b::8.8.8.8')).toBe('public');
    expect(classifyAddress('2002:a9fe:a9fe::1')).toBe('link-local');
    expect(classifyAddress('2002:0808:0808::1')).toBe('public');
    expect(classifyAddress('fec0::1')).toBe('private');
    expect(classifyAddress('2001::1')).toBe('reserved');
    expect(classifyAddress('2001:200::1')).toBe('public');
    expect(classifyAddress('3fff:ffff::1')).toBe('public');
    expect(classifyAddress('4000::1')).toBe('reserved');
    expect(classifyAddress('1fff::1')).toBe('reserved');
    expect(classifyAddress('::2')).toBe('reserved');
  });
});
