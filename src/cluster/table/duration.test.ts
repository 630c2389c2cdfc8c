import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRfc3339, humanDuration, timestampSince } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

test('HumanDuration keeps two to three significant figures like apimachinery', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [5 * S, '5s'],
    [59 * S, '59s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 3 * S, '2m3s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 4 * M, '3h4m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [47 * H + 59 * M, '47h'],
    [2 * D, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [45 * D, '45d'],
    [729 * D, '729d'],
    [2 * Y, '2y'],
    [3 * Y + 10 * D, '3y10d'],
    [8 * Y, '8y'],
    [9 * Y + 100 * D, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('HumanDuration tolerates a second of clock skew and flags the rest as invalid', () => {
  assert.equal(humanDuration(-999), '0s');
  assert.equal(humanDuration(-1999), '0s');
  assert.equal(humanDuration(-2 * S), '<invalid>');
});

test('ages are measured from RFC 3339 timestamps; unset ones are <unknown>', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  assert.equal(timestampSince('2024-05-01T11:55:00Z', now), '5m');
  assert.equal(timestampSince('2024-05-01T11:59:59.500000Z', now), '0s');
  assert.equal(timestampSince(undefined, now), '<unknown>');
  assert.equal(timestampSince('yesterday', now), '<unknown>');
});

test('RFC 3339 cells are second-precision UTC', () => {
  assert.equal(formatRfc3339('2024-05-01T14:00:00.123+02:00'), '2024-05-01T12:00:00Z');
  assert.equal(formatRfc3339(undefined), '0001-01-01T00:00:00Z');
});
