import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronParseError, timeZoneErrors } from './cron.js';

test('standard five-field schedules and descriptors parse', () => {
  for (const s of ['*/5 * * * *', '0 0 * * 0', '15,45 9-17 * JAN-MAR mon-fri', '0 0 1 */2 *', '@hourly', '@every 1h30m', '0 12 * * ?']) {
    assert.equal(cronParseError(s), undefined, s);
  }
});

test('a schedule with the wrong number of fields reports how many it found', () => {
  assert.equal(cronParseError('* * *'), 'expected exactly 5 fields, found 3: [* * *]');
  assert.equal(cronParseError('0 * * * * *'), 'expected exactly 5 fields, found 6: [0 * * * * *]');
  assert.equal(cronParseError(''), 'empty spec string');
});

test('out-of-range and malformed fields give robfig/cron messages', () => {
  assert.equal(cronParseError('60 * * * *'), 'end of range (60) above maximum (59): 60');
  assert.equal(cronParseError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(cronParseError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(cronParseError('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(cronParseError('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  assert.equal(cronParseError('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
  assert.equal(cronParseError('@sometimes'), 'unrecognized descriptor: @sometimes');
  assert.equal(cronParseError('@every 5x'), 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"');
  assert.equal(cronParseError('* * * * 7'), 'end of range (7) above maximum (6): 7');
});

test('a TZ= prefix is accepted by the parser when the zone exists', () => {
  assert.equal(cronParseError('TZ=Europe/Paris 0 * * * *'), undefined);
  assert.equal(cronParseError('CRON_TZ=Nowhere/City 0 * * * *'), 'provided bad location Nowhere/City: unknown time zone Nowhere/City');
});

test('time zones must be explicit IANA names', () => {
  assert.deepEqual(timeZoneErrors('Europe/Berlin'), []);
  assert.deepEqual(timeZoneErrors('Etc/UTC'), []);
  assert.deepEqual(timeZoneErrors(''), ['timeZone must be nil or non-empty string']);
  assert.deepEqual(timeZoneErrors('Mars/Olympus'), ['unknown time zone Mars/Olympus']);
  assert.deepEqual(timeZoneErrors('../etc'), ['unknown time zone ../etc']);
  assert.deepEqual(timeZoneErrors('Local'), ['timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones']);
});
