/**
 * IPv4 addresses and CIDR ranges as plain numbers: parsing, membership, the n-th address of a
 * range, and choosing a subnet of 10.0.0.0/8 that nothing on the host routes yet. Pure functions,
 * shared by the pod network, the Service address allocator and the tests.
 */

export interface Cidr {
  /** The network address (host bits zero), as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

/** `a.b.c.d` → number, or undefined when it is not a canonical dotted quad (no leading zeros, each part ≤ 255). */
export function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIPv4(s: string): boolean {
  return parseIPv4(s) !== undefined;
}

/** Rough IPv6 shape check: enough to tell an IPv6 literal from garbage in error messages. */
export function looksLikeIPv6(s: string): boolean {
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.96.0.0/12` → Cidr; the host bits must be zero, as Kubernetes requires of its ranges. */
export function parseCidr(s: string): Cidr {
  const slash = s.indexOf('/');
  const ip = slash < 0 ? undefined : parseIPv4(s.slice(0, slash));
  const prefixText = slash < 0 ? '' : s.slice(slash + 1);
  const prefix = /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) throw new Error(`invalid CIDR address: ${s}`);
  if ((ip & mask(prefix)) >>> 0 !== ip) throw new Error(`invalid CIDR address: ${s}: host bits are set (did you mean ${formatIPv4((ip & mask(prefix)) >>> 0)}/${prefix}?)`);
  return { base: ip, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return (ip & mask(c.prefix)) >>> 0 === c.base;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

/** The address `offset` places after the network address (offset 1 is the first host). */
export function nthAddress(c: Cidr, offset: number): number {
  if (offset < 0 || offset >= cidrSize(c)) throw new Error(`offset ${offset} is outside ${formatCidr(c)}`);
  return c.base + offset;
}

/**
 * The addresses of a range that can be handed out: all but the network and broadcast addresses
 * (Kubernetes' ipallocator does the same for IPv4), as offsets [first, last].
 */
export function usableOffsets(c: Cidr): { first: number; last: number } {
  const size = cidrSize(c);
  if (size <= 2) return { first: 0, last: size - 1 };
  return { first: 1, last: size - 2 };
}

/** Splits a range into two halves (e.g. a /16 into pod and Service /17s). */
export function halves(c: Cidr): [Cidr, Cidr] {
  if (c.prefix >= 32) throw new Error(`cannot split ${formatCidr(c)}`);
  const prefix = c.prefix + 1;
  return [
    { base: c.base, prefix },
    { base: c.base + cidrSize({ base: 0, prefix }), prefix },
  ];
}

/**
 * Extracts every IPv4 range mentioned by `ip -4 route show table all` and `ip -4 -o addr` output
 * (destinations such as `10.1.0.0/16`, `local 10.2.3.4`, `default`→ nothing): what is in use.
 */
export function rangesInUse(text: string): Cidr[] {
  const out: Cidr[] = [];
  for (const m of text.matchAll(/(?:^|\s)(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?(?=\s|$)/gm)) {
    const ip = parseIPv4(m[1]);
    if (ip === undefined) continue;
    const prefix = m[2] === undefined ? 32 : Number(m[2]);
    if (prefix > 32) continue;
    out.push({ base: (ip & mask(prefix)) >>> 0, prefix });
  }
  return out;
}

/**
 * Candidate /16s of 10.0.0.0/8 that overlap nothing in use, in random order (so clusters started at
 * the same moment rarely pick the same one). 10.0/16 and Kubernetes' conventional 10.96.0.0/12
 * Service range and 10.244/16 pod range are left alone: users and other tools assume them.
 */
export function freeSubnets(inUse: Cidr[], random: () => number = Math.random): Cidr[] {
  const avoid: Cidr[] = [parseCidr('10.0.0.0/16'), parseCidr('10.96.0.0/12'), parseCidr('10.244.0.0/16'), ...inUse];
  const free: Cidr[] = [];
  for (let second = 1; second < 256; second++) {
    const c = { base: nthAddress(parseCidr('10.0.0.0/8'), second * 65536), prefix: 16 };
    if (!avoid.some((a) => cidrsOverlap(a, c))) free.push(c);
  }
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [free[i], free[j]] = [free[j], free[i]];
  }
  return free;
}
