import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, cidrSize, cidrsOverlap, formatCidr, formatIPv4, freeSubnets, halves, nthAddress, parseCidr, parseIPv4, rangesInUse, usableOffsets } from './cidr.js';

test('IPv4 addresses parse only in canonical dotted-quad form and format back', () => {
  assert.equal(parseIPv4('10.96.0.1'), 0x0a600001);
  assert.equal(formatIPv4(0x0a600001), '10.96.0.1');
  assert.equal(formatIPv4(parseIPv4('255.255.255.255')!), '255.255.255.255');
  for (const bad of ['10.96.0', '10.96.0.256', '010.1.1.1', '1.2.3.4.5', '', 'a.b.c.d', '1.2.3.-1', '::1']) assert.equal(parseIPv4(bad), undefined, bad);
});

test('CIDRs: parse, size, membership, n-th address, overlap and halves', () => {
  const c = parseCidr('10.96.0.0/12');
  assert.equal(formatCidr(c), '10.96.0.0/12');
  assert.equal(cidrSize(c), 2 ** 20);
  assert.ok(cidrContains(c, parseIPv4('10.111.255.255')!));
  assert.ok(!cidrContains(c, parseIPv4('10.112.0.0')!));
  assert.equal(formatIPv4(nthAddress(c, 1)), '10.96.0.1');
  assert.throws(() => nthAddress(c, 2 ** 20), /outside/);
  assert.deepEqual(usableOffsets(parseCidr('10.0.0.0/24')), { first: 1, last: 254 });
  assert.deepEqual(usableOffsets(parseCidr('10.0.0.4/31')), { first: 0, last: 1 });
  assert.ok(cidrsOverlap(parseCidr('10.0.0.0/8'), parseCidr('10.5.0.0/16')));
  assert.ok(!cidrsOverlap(parseCidr('10.4.0.0/16'), parseCidr('10.5.0.0/16')));
  const [low, high] = halves(parseCidr('10.7.0.0/16'));
  assert.equal(formatCidr(low), '10.7.0.0/17');
  assert.equal(formatCidr(high), '10.7.128.0/17');
});

test('bad CIDRs are rejected with the reason', () => {
  assert.throws(() => parseCidr('10.96.0.0'), /invalid CIDR address: 10.96.0.0/);
  assert.throws(() => parseCidr('10.96.0.0/33'), /invalid CIDR/);
  assert.throws(() => parseCidr('10.96.0.1/12'), /host bits are set \(did you mean 10.96.0.0\/12\?\)/);
});

test('ranges in use are read from ip route and ip addr output', () => {
  const text = [
    'default via 192.0.2.1 dev eth0',
    '10.20.0.0/16 dev br0 proto kernel scope link src 10.20.0.1',
    'local 10.30.1.5 dev br1 table local proto kernel scope host src 10.30.1.5',
    '4: br2    inet 10.40.0.1/17 brd 10.40.127.255 scope global br2',
  ].join('\n');
  const used = rangesInUse(text).map(formatCidr);
  assert.ok(used.includes('10.20.0.0/16'));
  assert.ok(used.includes('10.30.1.5/32'));
  assert.ok(used.includes('10.40.0.0/17'));
  assert.ok(used.includes('192.0.2.1/32'));
});

test('free subnets avoid everything in use and the conventional Kubernetes ranges, in random order', () => {
  const inUse = rangesInUse('10.20.0.0/16 dev x\nlocal 10.30.1.5 dev y');
  const free = freeSubnets(inUse, () => 0.5).map(formatCidr);
  assert.ok(free.length > 200);
  for (const taken of ['10.20.0.0/16', '10.30.0.0/16', '10.0.0.0/16', '10.96.0.0/16', '10.111.0.0/16', '10.244.0.0/16']) assert.ok(!free.includes(taken), taken);
  assert.ok(free.includes('10.21.0.0/16'));
  assert.notDeepEqual(freeSubnets(inUse, () => 0.1).map(formatCidr), freeSubnets(inUse, () => 0.9).map(formatCidr));
  assert.deepEqual(freeSubnets(rangesInUse('10.0.0.0/8 dev z')), []);
});
