import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRfc3339InZone, parseCronSchedule, parseGoDuration, ZoneClock } from './cron-schedule.js';

const iso = (s: string): number => Date.parse(s);
const next = (spec: string, after: string, tz?: string): string | undefined => {
  const t = parseCronSchedule(spec, tz).next(iso(after));
  return t === undefined ? undefined : new Date(t).toISOString();
};

test('minute steps, ranges and lists in UTC', () => {
  assert.equal(next('*/15 * * * *', '2024-05-01T10:07:30Z', 'UTC'), '2024-05-01T10:15:00.000Z');
  assert.equal(next('*/15 * * * *', '2024-05-01T10:15:00Z', 'UTC'), '2024-05-01T10:30:00.000Z', 'strictly after');
  assert.equal(next('5,35 8-9 * * *', '2024-05-01T09:40:00Z', 'UTC'), '2024-05-02T08:05:00.000Z');
  assert.equal(next('10/20 * * * *', '2024-05-01T10:31:00Z', 'UTC'), '2024-05-01T10:50:00.000Z', '"N/step" is N-max/step');
  assert.equal(next('0 0 1 jan *', '2024-05-01T00:00:00Z', 'UTC'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('0 12 * * MON-FRI', '2024-05-03T13:00:00Z', 'UTC'), '2024-05-06T12:00:00.000Z', 'Friday afternoon → Monday');
});

test('descriptors', () => {
  assert.equal(next('@hourly', '2024-05-01T10:07:00Z', 'UTC'), '2024-05-01T11:00:00.000Z');
  assert.equal(next('@daily', '2024-05-01T10:07:00Z', 'UTC'), '2024-05-02T00:00:00.000Z');
  assert.equal(next('@midnight', '2024-05-01T10:07:00Z', 'UTC'), '2024-05-02T00:00:00.000Z');
  assert.equal(next('@weekly', '2024-05-01T10:07:00Z', 'UTC'), '2024-05-05T00:00:00.000Z', 'Sunday');
  assert.equal(next('@monthly', '2024-05-01T10:07:00Z', 'UTC'), '2024-06-01T00:00:00.000Z');
  assert.equal(next('@yearly', '2024-05-01T10:07:00Z', 'UTC'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('@every 90s', '2024-05-01T10:07:00.400Z', 'UTC'), '2024-05-01T10:08:30.000Z');
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
});

test('day of month and day of week: OR when both are restricted, AND when either is *', () => {
  // 2024-09-13 is a Friday; 2024-09-06 is a Friday before it.
  assert.equal(next('0 0 13 * 5', '2024-09-01T00:00:00Z', 'UTC'), '2024-09-06T00:00:00.000Z');
  assert.equal(next('0 0 13 * *', '2024-09-01T00:00:00Z', 'UTC'), '2024-09-13T00:00:00.000Z');
  assert.equal(next('0 0 * * 5', '2024-09-07T00:00:00Z', 'UTC'), '2024-09-13T00:00:00.000Z');
  assert.equal(next('0 0 */2 * 5', '2024-09-01T00:00:00Z', 'UTC'), '2024-09-03T00:00:00.000Z', 'a stepped * is not a star');
  assert.equal(next('0 0 30 2 *', '2024-01-01T00:00:00Z', 'UTC'), undefined, 'never: gives up after five years');
});

test('time zones: spec.timeZone, CRON_TZ= prefix, half-hour offsets', () => {
  // 09:00 in New York is 13:00Z in summer (EDT) and 14:00Z in winter (EST).
  assert.equal(next('0 9 * * *', '2024-07-01T12:00:00Z', 'America/New_York'), '2024-07-01T13:00:00.000Z');
  assert.equal(next('0 9 * * *', '2024-12-01T15:00:00Z', 'America/New_York'), '2024-12-02T14:00:00.000Z');
  assert.equal(next('CRON_TZ=Asia/Tokyo 0 9 * * *', '2024-07-01T00:00:00Z'), '2024-07-02T00:00:00.000Z');
  assert.equal(next('TZ=UTC 0 9 * * *', '2024-07-01T00:00:00Z'), '2024-07-01T09:00:00.000Z');
  assert.equal(next('0 * * * *', '2024-07-01T00:10:00Z', 'Asia/Kolkata'), '2024-07-01T00:30:00.000Z', '+05:30: local hours start at :30 UTC');
  assert.equal(parseCronSchedule('0 9 * * *', 'Europe/Paris').timeZone, 'Europe/Paris');
});

test('daylight saving: a skipped wall hour is skipped, a repeated one runs twice (as robfig/cron does)', () => {
  // 2024-03-10 02:00 EST → 03:00 EDT: 02:30 does not exist that day.
  assert.equal(next('30 2 * * *', '2024-03-09T08:00:00Z', 'America/New_York'), '2024-03-11T06:30:00.000Z');
  // 2024-11-03 02:00 EDT → 01:00 EST: 01:30 happens at 05:30Z and again at 06:30Z.
  assert.equal(next('30 1 * * *', '2024-11-03T05:00:00Z', 'America/New_York'), '2024-11-03T05:30:00.000Z');
  assert.equal(next('30 1 * * *', '2024-11-03T05:30:00Z', 'America/New_York'), '2024-11-03T06:30:00.000Z');
  // Daily at midnight across the spring change.
  assert.equal(next('0 0 * * *', '2024-03-10T05:00:00Z', 'America/New_York'), '2024-03-11T04:00:00.000Z');
});

test('bad specs carry robfig messages', () => {
  assert.throws(() => parseCronSchedule('61 * * * *'), /end of range \(61\) above maximum \(59\): 61/);
  assert.throws(() => parseCronSchedule('* * * *'), /expected exactly 5 fields, found 4/);
  assert.throws(() => parseCronSchedule('* * * * *', 'Mars/Base'), /unknown time zone Mars\/Base/);
});

test('zone clock and RFC 3339 rendering', () => {
  const clock = new ZoneClock('America/New_York');
  assert.equal(clock.offset(iso('2024-07-01T00:00:00Z')), -4 * 3_600_000);
  assert.equal(clock.offset(iso('2024-12-01T00:00:00Z')), -5 * 3_600_000);
  assert.equal(clock.date(2024, 7, 1, 9), iso('2024-07-01T13:00:00Z'));
  assert.equal(clock.date(2024, 13, 1), iso('2025-01-01T05:00:00Z'), 'month 13 normalizes like Go');
  assert.equal(formatRfc3339InZone(iso('2024-07-01T13:00:00Z'), 'America/New_York'), '2024-07-01T09:00:00-04:00');
  assert.equal(formatRfc3339InZone(iso('2024-07-01T13:00:00Z'), 'Asia/Kolkata'), '2024-07-01T18:30:00+05:30');
  assert.equal(formatRfc3339InZone(iso('2024-07-01T13:00:00Z'), 'UTC'), '2024-07-01T13:00:00Z');
});
