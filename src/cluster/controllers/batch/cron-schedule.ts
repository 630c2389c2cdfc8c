/**
 * Cron schedules as the CronJob controller evaluates them: robfig/cron v3 `ParseStandard` (five
 * fields, @descriptors, @every, an optional `TZ=`/`CRON_TZ=` prefix) and its `Next`, stepping
 * through wall-clock fields in the schedule's time zone exactly as robfig does — including how it
 * treats daylight-saving gaps and repeats. Zone offsets come from Intl; no zone database is bundled.
 *
 * Validation (and its messages) is `cronParseError` in builtin/cron.ts; this module turns a valid
 * spec into something that can answer "when next?".
 */
import { cronParseError, isLoadableTimeZone } from '../../builtin/cron.js';

export interface CronSchedule {
  /** The first activation strictly after `afterMs` (epoch milliseconds); undefined when none within five years. */
  next(afterMs: number): number | undefined;
  /** The IANA zone the schedule runs in. */
  readonly timeZone: string;
}

interface Field {
  values: Set<number>;
  /** robfig's starBit: the field was `*` or `?` (without a step), which changes day matching. */
  star: boolean;
}

interface SpecFields {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

const BOUNDS = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dom: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } as Record<string, number> },
  dow: { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } as Record<string, number> },
};

type Bounds = { min: number; max: number; names?: Record<string, number> };

/** The process's own zone: what kube-controller-manager uses (time.Local) for CronJobs without a time zone. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Parses a schedule. `timeZone` is the CronJob's `spec.timeZone` (the controller prefixes it as
 * `TZ=`); a `TZ=`/`CRON_TZ=` prefix in the spec wins, and neither means the local zone.
 * Throws an Error with robfig's message for a bad spec.
 */
export function parseCronSchedule(spec: string, timeZone?: string): CronSchedule {
  const err = cronParseError(spec);
  if (err) throw new Error(err);
  let rest = spec;
  let zone = timeZone && timeZone !== 'Local' ? timeZone : localTimeZone();
  if (timeZone !== undefined && !isLoadableTimeZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    const named = rest.slice(rest.indexOf('=') + 1, space < 0 ? undefined : space);
    zone = named === 'Local' ? localTimeZone() : named === '' ? 'UTC' : named;
    rest = space < 0 ? '' : rest.slice(space).trim();
  }
  if (zone === 'UTC' || zone === 'Etc/UTC') zone = 'UTC';
  if (rest.startsWith('@every ')) {
    const delay = Math.max(1000, Math.floor(parseGoDuration(rest.slice('@every '.length)) / 1000) * 1000);
    return { timeZone: zone, next: (after) => Math.floor(after / 1000) * 1000 + delay };
  }
  const fields = rest.startsWith('@') ? descriptor(rest) : parseFields(rest);
  const clock = new ZoneClock(zone);
  return { timeZone: zone, next: (after) => nextActivation(fields, clock, after) };
}

function all(b: Bounds): Field {
  const values = new Set<number>();
  for (let i = b.min; i <= b.max; i++) values.add(i);
  return { values, star: true };
}

function one(v: number): Field {
  return { values: new Set([v]), star: false };
}

function descriptor(spec: string): SpecFields {
  const base = { dom: all(BOUNDS.dom), month: all(BOUNDS.month), dow: all(BOUNDS.dow) };
  switch (spec) {
    case '@yearly':
    case '@annually':
      return { ...base, minute: one(0), hour: one(0), dom: one(1), month: one(1) };
    case '@monthly':
      return { ...base, minute: one(0), hour: one(0), dom: one(1) };
    case '@weekly':
      return { ...base, minute: one(0), hour: one(0), dow: one(0) };
    case '@daily':
    case '@midnight':
      return { ...base, minute: one(0), hour: one(0) };
    case '@hourly':
      return { ...base, minute: one(0), hour: all(BOUNDS.hour) };
    default:
      throw new Error(`unrecognized descriptor: ${spec}`);
  }
}

function parseFields(spec: string): SpecFields {
  const f = spec.split(/\s+/).filter((x) => x !== '');
  return {
    minute: parseField(f[0], BOUNDS.minute),
    hour: parseField(f[1], BOUNDS.hour),
    dom: parseField(f[2], BOUNDS.dom),
    month: parseField(f[3], BOUNDS.month),
    dow: parseField(f[4], BOUNDS.dow),
  };
}

/** robfig getField/getRange (the spec already passed validation, so only the values matter here). */
function parseField(field: string, b: Bounds): Field {
  const out: Field = { values: new Set(), star: false };
  for (const expr of field.split(',').filter((e) => e !== '')) {
    const [range, stepText] = expr.split('/');
    const lowHigh = range.split('-');
    let start: number;
    let end: number;
    let star = false;
    if (lowHigh[0] === '*' || lowHigh[0] === '?') {
      start = b.min;
      end = b.max;
      star = true;
    } else {
      start = valueOf(lowHigh[0], b);
      end = lowHigh.length === 2 ? valueOf(lowHigh[1], b) : start;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = Number(stepText);
      // "N/step" means "N-max/step".
      if (lowHigh.length === 1) end = b.max;
      if (step > 1) star = false;
    }
    for (let v = start; v <= end; v += step) out.values.add(v);
    if (star) out.star = true;
  }
  return out;
}

function valueOf(text: string, b: Bounds): number {
  return b.names?.[text.toLowerCase()] ?? Number(text);
}

/** Go's time.ParseDuration (validated before, so only well-formed input arrives), in milliseconds. */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)([^0-9.]+)/;
  while (rest !== '') {
    const m = re.exec(rest);
    if (!m) throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
    const unit = units[m[2]];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(m[2])} in duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

// ---------------------------------------------------------------------------- zone arithmetic

interface Wall {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of instants in one zone, and Go's time.Date for turning fields back into instants. */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly zone: string) {
    let f = formatters.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      formatters.set(zone, f);
    }
    this.format = f;
  }

  wall(ms: number): Wall {
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const hour = p.hour === 24 ? 0 : p.hour;
    const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
    return { year: p.year, month: p.month, day: p.day, hour, minute: p.minute, second: p.second, weekday };
  }

  /** The zone's offset from UTC at an instant, in milliseconds. */
  offset(ms: number): number {
    const w = this.wall(ms);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - (ms - (((ms % 1000) + 1000) % 1000));
  }

  /**
   * Go's time.Date: fields are normalized (month 13 is next January), and a wall time that does not
   * exist or exists twice resolves the way Go resolves it.
   */
  date(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
    const unix = Date.UTC(year, month - 1, day, hour, minute, second);
    if (this.zone === 'UTC') return unix;
    const offset = this.offset(unix);
    const utc = unix - offset;
    const actual = this.offset(utc);
    return actual === offset ? utc : unix - actual;
  }
}

const FIVE_YEARS = 5;

function dayMatches(s: SpecFields, w: Wall): boolean {
  const domMatch = s.dom.values.has(w.day);
  const dowMatch = s.dow.values.has(w.weekday);
  if (s.dom.star || s.dow.star) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

/** robfig SpecSchedule.Next, step for step (Second is always 0 in the standard spec). */
function nextActivation(s: SpecFields, clock: ZoneClock, afterMs: number): number | undefined {
  const HOUR = 3_600_000;
  const MINUTE = 60_000;
  // Start at the earliest possible time (the upcoming second).
  let t = Math.floor(afterMs / 1000) * 1000 + 1000;
  let added = false;
  const yearLimit = clock.wall(t).year + FIVE_YEARS;
  for (let guard = 0; guard < 100_000; guard++) {
    let w = clock.wall(t);
    if (w.year > yearLimit) return undefined;
    let wrapped = false;
    // The month.
    while (!s.month.values.has(w.month)) {
      if (!added) {
        added = true;
        t = clock.date(w.year, w.month, 1);
        w = clock.wall(t);
      }
      t = clock.date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
      w = clock.wall(t);
      if (w.month === 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    // The day (AddDate, then undo a DST shift away from midnight, as robfig does).
    while (!dayMatches(s, w)) {
      if (!added) {
        added = true;
        t = clock.date(w.year, w.month, w.day);
        w = clock.wall(t);
      }
      t = clock.date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
      w = clock.wall(t);
      if (w.hour !== 0) {
        t += w.hour > 12 ? (24 - w.hour) * HOUR : -w.hour * HOUR;
        w = clock.wall(t);
      }
      if (w.day === 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    // The hour, in real hours (a skipped wall hour is skipped).
    while (!s.hour.values.has(w.hour)) {
      if (!added) {
        added = true;
        t = clock.date(w.year, w.month, w.day, w.hour);
        w = clock.wall(t);
      }
      t += HOUR;
      w = clock.wall(t);
      if (w.hour === 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    // The minute.
    while (!s.minute.values.has(w.minute)) {
      if (!added) {
        added = true;
        t = Math.floor(t / MINUTE) * MINUTE;
      }
      t += MINUTE;
      w = clock.wall(t);
      if (w.minute === 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    // The second: always 0 in a standard spec. robfig steps a second at a time to the next whole
    // minute and starts over; zone offsets are whole minutes, so jump there directly.
    if (w.second !== 0) {
      added = true;
      t = Math.floor(t / MINUTE) * MINUTE + MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}

/** RFC 3339 in a zone, as Go's Format(time.RFC3339) prints it ("Z" for UTC, else "+hh:mm"). */
export function formatRfc3339InZone(ms: number, zone: string): string {
  const clock = new ZoneClock(zone);
  const offset = clock.offset(ms);
  const w = clock.wall(ms);
  const pad = (n: number, len = 2): string => String(n).padStart(len, '0');
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  if (offset === 0) return `${base}Z`;
  const abs = Math.abs(offset) / 60_000;
  return `${base}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
