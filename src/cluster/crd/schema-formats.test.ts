import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFormat, supportedFormat } from './schema-formats.js';

test('only the formats apiextensions supports are checked (dashes ignored)', () => {
  assert.equal(supportedFormat('date-time'), 'date-time');
  assert.equal(supportedFormat('datetime'), 'datetime');
  assert.equal(supportedFormat('int32'), '');
  assert.equal(supportedFormat('int64'), '');
  assert.equal(supportedFormat('double'), '');
  assert.equal(supportedFormat('constructor'), '');
  assert.equal(supportedFormat(undefined), '');
});

const cases: [string, string[], string[]][] = [
  ['date', ['2024-02-29', '1999-12-31'], ['2023-02-29', '2024-13-01', '24-01-01', '2024-01-01T00:00:00Z']],
  ['date-time', ['2024-01-01T00:00:00Z', '2024-01-01t10:20:30.123+02:00'], ['2024-01-01', '2024-01-01T25:00:00Z', '2024-01-01T00:00:00']],
  ['duration', ['1h30m', '300ms', '0', '5 days', '2w'], ['soon', '']],
  ['byte', ['', 'aGk=', 'aGVsbG8gd29ybGQ='], ['aGk', 'not base64']],
  ['ipv4', ['192.168.0.1'], ['192.168.0.256', '::1']],
  ['ipv6', ['::1', 'fe80::1'], ['192.168.0.1']],
  ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0/33', '10.0.0.0']],
  ['mac', ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E'], ['00:1a:2b:3c:4d']],
  ['hostname', ['example.com', 'a-b.c'], ['-bad.example.com', 'a_b']],
  ['uri', ['https://example.com/x', '/relative/path'], ['not a uri', 'relative']],
  ['email', ['a@example.com', 'Name <a@example.com>'], ['no-at-sign']],
  ['uuid4', ['123e4567-e89b-42d3-a456-426614174000'], ['123e4567-e89b-12d3-a456-426614174000']],
  ['hexcolor', ['#fff', 'A0B1C2'], ['#ffff']],
  ['rgbcolor', ['rgb(0, 128,255)'], ['rgb(256,0,0)']],
  ['isbn13', ['978-0321751041'], ['978-0321751042']],
  ['creditcard', ['4111 1111 1111 1111'], ['4111 1111 1111 1112']],
  ['ssn', ['123-45-6789'], ['123456789x']],
  ['password', ['anything at all'], []],
];

for (const [format, good, bad] of cases) {
  test(`format ${format}`, () => {
    for (const v of good) assert.equal(matchesFormat(format, v), true, `${v} should match ${format}`);
    for (const v of bad) assert.equal(matchesFormat(format, v), false, `${v} should not match ${format}`);
  });
}

test('unsupported formats match everything', () => {
  assert.equal(matchesFormat('int32', 'abc'), true);
  assert.equal(matchesFormat('k8s-short-name', '!!!'), true);
});
