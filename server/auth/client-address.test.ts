import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, UNKNOWN_ADDRESS } from './client-address';

const withForwardedFor = (value?: string) =>
  new Request(
    'http://127.0.0.1:3000/api/auth/sign-in',
    value === undefined ? {} : { headers: { 'x-forwarded-for': value } },
  );

describe('clientAddress: the right-most x-forwarded-for entry', () => {
  it.each([
    ['the load balancer appended the peer after a forged entry', '6.6.6.6, 203.0.113.7', '203.0.113.7'],
    ['Next set the socket address (no client header)', '127.0.0.1', '127.0.0.1'],
    ['several proxies, spaces', ' 1.1.1.1 ,2.2.2.2,  198.51.100.4 ', '198.51.100.4'],
    ['an IPv4-mapped IPv6 socket address', '::ffff:127.0.0.1', '127.0.0.1'],
    ['IPv6 by its /64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:0db8:0001:0002::/64'],
    ['another address in the same /64', '2001:db8:1:2::99', '2001:0db8:0001:0002::/64'],
    ['IPv6 loopback', '::1', '0000:0000:0000:0000::/64'],
    ['a bracketed IPv6', '[2001:db8::1]', '2001:0db8:0000:0000::/64'],
    ['not an address', '1.1.1.1, unknown', UNKNOWN_ADDRESS],
    ['a name', 'evil.example', UNKNOWN_ADDRESS],
    ['an empty last entry', '1.1.1.1,', UNKNOWN_ADDRESS],
  ])('%s: %j → %j', (_label, header, expected) => {
    expect(clientAddress(withForwardedFor(header))).toBe(expected);
  });

  it('counts a request without the header as the shared unknown address', () => {
    expect(clientAddress(withForwardedFor())).toBe(UNKNOWN_ADDRESS);
    expect(addressKey('999.1.1.1')).toBe(UNKNOWN_ADDRESS);
  });
});
