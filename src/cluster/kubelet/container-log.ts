/**
 * Container logs in the CRI file format (`<RFC3339Nano> <stream> <F|P> <text>`): one file per
 * container run, named by its container ID, which is how `pods/log` finds the current run and
 * `previous` (the run in `lastState.terminated`). Writing is batched per output chunk and the file
 * is created only when the container first prints something, so a silent `true` costs no I/O.
 * Reading supports everything `pods/log` asks for: tailLines, sinceSeconds, timestamps,
 * limitBytes and follow (until the run ends).
 */
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * A run's log file: straight in the pod directory, `<container>_<id>.log` (a container name is a DNS
 * label, so the `_` cannot be part of it), rather than in `logs/<container>/`: every new directory
 * is an inode, and inodes cost kernel time.
 */
export function containerLogPath(podDir: string, container: string, id: string): string {
  return path.join(podDir, `${container}_${id}.log`);
}

/** Where earlier versions kept a run's log (`logs/<container>/<id>.log`), still read after an upgrade. */
export function legacyContainerLogPath(podDir: string, container: string, id: string): string {
  return path.join(podDir, 'logs', container, `${id}.log`);
}

/** Lines longer than this are split into partial (`P`) records, as the CRI runtimes do. */
const MAX_LINE = 16 * 1024;

let lastStamp = '';

/** Now, in RFC 3339 with nine fractional digits (the kubelet's RFC3339NanoFixed), never going backwards. */
export function nanoTimestamp(): string {
  const t = performance.timeOrigin + performance.now();
  const ms = Math.floor(t);
  const sub = String(Math.floor((t - ms) * 1e6)).padStart(6, '0');
  const stamp = `${new Date(ms).toISOString().slice(0, 23)}${sub}Z`;
  if (stamp > lastStamp) lastStamp = stamp;
  return lastStamp;
}

/** A timestamp `seconds` ago in the same fixed format (fixed-width UTC strings compare as times). */
export function timestampSecondsAgo(seconds: number, nowMs = Date.now()): string {
  return `${new Date(nowMs - seconds * 1000).toISOString().slice(0, 23)}000000Z`;
}

/** A run's log as its readers see it: more was written, and the run has ended (log complete). */
export interface LogHandle {
  readonly hasEnded: boolean;
  readonly ended: Promise<void>;
  onAppend(listener: () => void): () => void;
}

/** Writes one container run's output. */
export class ContainerLogWriter implements LogHandle {
  private pending = '';
  private chain: Promise<void> = Promise.resolve();
  private handle: fsp.FileHandle | undefined;
  private readonly partial = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private closed = false;
  private finished = false;
  private readonly streams: Promise<void>[] = [];
  private readonly readables: Readable[] = [];
  /** Resolves once the run has ended and everything it printed is in the file. */
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(readonly file: string) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /** Copies a process's stdout or stderr into the log. */
  attach(stream: Readable, name: 'stdout' | 'stderr'): void {
    this.readables.push(stream);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.append(name, chunk));
    this.streams.push(once(stream, 'close').then(() => undefined, () => undefined));
  }

  append(stream: 'stdout' | 'stderr', chunk: string): void {
    if (this.closed) return;
    const ts = nanoTimestamp();
    let text = (this.partial.get(stream) ?? '') + chunk;
    let out = '';
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      out += splitRecord(ts, stream, text.slice(0, nl), 'F');
      text = text.slice(nl + 1);
    }
    while (text.length >= MAX_LINE) {
      out += `${ts} ${stream} P ${text.slice(0, MAX_LINE)}\n`;
      text = text.slice(MAX_LINE);
    }
    this.partial.set(stream, text);
    if (out) this.write(out);
  }

  /** True once the run has ended and its output is all in the file. */
  get hasEnded(): boolean {
    return this.finished;
  }

  /** Subscribes to "more was written"; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the log once the process's pipes are drained: unterminated output is kept as a partial line. */
  async close(): Promise<void> {
    if (this.closed) return this.ended;
    // The pipes close when the last process holding them exits; do not wait on a straggler forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.streams), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    for (const r of this.readables) r.destroy();
    this.closed = true;
    const ts = nanoTimestamp();
    let rest = '';
    for (const [stream, text] of this.partial) if (text) rest += `${ts} ${stream} P ${text}\n`;
    this.partial.clear();
    if (rest) this.write(rest);
    this.chain = this.chain.then(async () => {
      await this.handle?.close();
      this.handle = undefined;
    });
    await this.chain;
    this.finished = true;
    this.resolveEnded();
    for (const l of this.listeners) l();
  }

  private write(text: string): void {
    this.pending += text;
    this.chain = this.chain
      .then(async () => {
        if (!this.pending) return;
        const data = this.pending;
        this.pending = '';
        if (!this.handle) {
          await fsp.mkdir(path.dirname(this.file), { recursive: true });
          this.handle = await fsp.open(this.file, 'a', 0o640);
        }
        await this.handle.write(data);
        for (const l of this.listeners) l();
      })
      .catch(() => {
        // A log that cannot be written must not take the container down (the disk may be full).
      });
  }
}

function splitRecord(ts: string, stream: string, line: string, tag: 'F' | 'P'): string {
  if (line.length <= MAX_LINE) return `${ts} ${stream} ${tag} ${line}\n`;
  let out = '';
  let rest = line;
  while (rest.length > MAX_LINE) {
    out += `${ts} ${stream} P ${rest.slice(0, MAX_LINE)}\n`;
    rest = rest.slice(MAX_LINE);
  }
  return out + `${ts} ${stream} ${tag} ${rest}\n`;
}

export interface LogRecord {
  time: string;
  stream: string;
  partial: boolean;
  text: string;
}

export function parseRecord(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  const tag = line.slice(b + 1, c);
  return { time: line.slice(0, a), stream: line.slice(a + 1, b), partial: tag === 'P', text: line.slice(c + 1) };
}

export interface LogReadOptions {
  tailLines?: number;
  /** Only records at or after this timestamp (see timestampSecondsAgo). */
  since?: string;
  timestamps: boolean;
  limitBytes?: number;
  follow: boolean;
}

/** Where output goes; resolves when the consumer can take more (HTTP back-pressure). */
export type LogSink = (text: string) => Promise<void>;

/** Byte offset of the start of the last `lines` log lines (scanning backwards, 64 KiB at a time). */
async function tailOffset(handle: fsp.FileHandle, size: number, lines: number): Promise<number> {
  if (lines <= 0) return size;
  const chunk = Buffer.alloc(64 * 1024);
  let pos = size;
  let seen = 0;
  // The file ends with a newline; that one does not start a line.
  let skipFinal = true;
  while (pos > 0) {
    const len = Math.min(chunk.length, pos);
    pos -= len;
    await handle.read(chunk, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (chunk[i] !== 0x0a) continue;
      if (skipFinal && pos + i === size - 1) {
        skipFinal = false;
        continue;
      }
      seen++;
      if (seen === lines) return pos + i + 1;
    }
    skipFinal = false;
  }
  return 0;
}

class Emitter {
  private written = 0;
  private leftover = '';

  constructor(
    private readonly sink: LogSink,
    private readonly options: LogReadOptions,
  ) {}

  get full(): boolean {
    return this.options.limitBytes !== undefined && this.written >= this.options.limitBytes;
  }

  /** Takes raw file text (whole records, possibly with a partial one at the end, kept for later). */
  async feed(text: string): Promise<void> {
    const all = this.leftover + text;
    const lastNl = all.lastIndexOf('\n');
    if (lastNl < 0) {
      this.leftover = all;
      return;
    }
    this.leftover = all.slice(lastNl + 1);
    let out = '';
    for (const line of all.slice(0, lastNl).split('\n')) {
      const rec = parseRecord(line);
      if (!rec) continue;
      if (this.options.since && rec.time < this.options.since) continue;
      out += (this.options.timestamps ? `${rec.time} ` : '') + rec.text + (rec.partial ? '' : '\n');
    }
    await this.emit(out);
  }

  private async emit(out: string): Promise<void> {
    if (!out || this.full) return;
    let buf = Buffer.from(out, 'utf8');
    const limit = this.options.limitBytes;
    if (limit !== undefined && this.written + buf.length > limit) buf = buf.subarray(0, limit - this.written);
    this.written += buf.length;
    await this.sink(buf.toString('utf8'));
  }
}

/**
 * Streams one run's log. With `follow` and a live `writer`, keeps streaming appended records until
 * the run ends (or `signal` aborts); otherwise stops at the end of the file.
 */
export async function readContainerLog(file: string | undefined, options: LogReadOptions, sink: LogSink, writer: LogHandle | undefined, signal: AbortSignal): Promise<void> {
  const emitter = new Emitter(sink, options);
  let wake: (() => void) | undefined;
  const unsubscribe = writer?.onAppend(() => wake?.());
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort);
  let handle: fsp.FileHandle | undefined;
  try {
    let offset = 0;
    let first = true;
    while (!signal.aborted && !emitter.full) {
      // Check "ended" before reading, so nothing written before the end is missed.
      const ended = !options.follow || !writer || writer.hasEnded;
      if (!handle && file) handle = await fsp.open(file, 'r').catch(() => undefined);
      if (handle) {
        const { size } = await handle.stat();
        if (first && options.tailLines !== undefined) offset = await tailOffset(handle, size, options.tailLines);
        first = false;
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          await handle.read(buf, 0, buf.length, offset);
          offset = size;
          await emitter.feed(buf.toString('utf8'));
          continue;
        }
      }
      if (ended) break;
      await new Promise<void>((resolve) => {
        // Files are appended by this process, but a timer bounds the wait regardless.
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe?.();
    signal.removeEventListener('abort', onAbort);
    await handle?.close();
  }
}
