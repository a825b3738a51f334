import 'server-only';
import { isIP } from 'node:net';

/** The key used when a request carries no usable address (all such requests share one budget). */
export const UNKNOWN_ADDRESS = 'unknown';

/** An IPv6 address written out in full: eight groups of four hex digits. */
function expandIpv6(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.padStart(4, '0'));
}

/**
 * The throttling key of an address: IPv4 as is; IPv6 by its /64 prefix, because one client
 * (one home or one cloud instance) usually holds a whole /64 and could otherwise take a fresh
 * address, and a fresh budget, for every guess. IPv4-mapped IPv6 ("::ffff:1.2.3.4") is IPv4.
 */
export function addressKey(raw: string): string {
  const address = raw.trim().replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6 && !address.includes('.') && !address.includes('%')) {
    return `${expandIpv6(address.toLowerCase()).slice(0, 4).join(':')}::/64`;
  }
  return UNKNOWN_ADDRESS;
}

/**
 * The client's address for sign-in throttling: the RIGHT-MOST x-forwarded-for entry.
 * - On AWS the console sits behind the ALB, which appends the address it received the
 *   connection from as the last entry; whatever the client sent itself (forged entries
 *   included) stays to the left of it. The right-most entry is the only one a client
 *   cannot choose, so it is the one we trust.
 * - Locally, Next's server sets x-forwarded-for to the socket's address when the request has
 *   none (base-server.js, `??=`), but keeps one the client sent. The console listens on
 *   loopback, so the only clients are processes on this machine: they can choose their
 *   address (and so a fresh budget) by sending the header, which is acceptable only because
 *   they can read the data dir (password hashes, session secret) anyway. Exposing the local
 *   backend on a network without a proxy that appends the address would make it forgeable.
 * Anything that is not an IP address (a missing header, "unknown", a name) counts as one
 * shared UNKNOWN_ADDRESS, so it cannot be used to get a fresh budget per request.
 */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get('x-forwarded-for');
  if (!forwarded) return UNKNOWN_ADDRESS;
  const last = forwarded.split(',').at(-1) ?? '';
  return addressKey(last);
}
