/**
 * Runs iproute2 commands cheaply. Creating a process per `ip` command would cost more CPU than the
 * kernel work itself, so host-namespace commands go to ONE long-lived `ip -force -batch -` process,
 * and commands that must run inside a pod's namespace go to one `ip -n NS -force -batch -` per call.
 *
 * How a long-lived batch tells us that our commands are done: `ip` reports a failed command as
 * `Command failed -:LINE` (its stdout is flushed after every command, stderr is merged into the
 * same pipe so the order is kept). After each request we send a sentinel command that always fails
 * and has no effect; its failure line marks the end of the request, and failures of the request's
 * own lines are attributed by line number.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface IpFailure {
  command: string;
  message: string;
}

/** Always fails (no such process), touches nothing. */
const SENTINEL = 'netns identify 2147483646';

interface Pending {
  firstLine: number;
  commands: string[];
  sentinelLine: number;
  failures: IpFailure[];
  resolve: (f: IpFailure[]) => void;
  reject: (e: Error) => void;
}

/** Rejects names or arguments that could break the line protocol or smuggle a second command. */
function checkCommand(c: string): void {
  if (/[\n\r\\#]/.test(c) || c.trim() === '') throw new Error(`refusing to send malformed ip command: ${JSON.stringify(c)}`);
}

export class IpBatch {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private line = 0;
  private readonly pending: Pending[] = [];
  private buffered = '';
  private message: string[] = [];
  private closed = false;

  /** Runs `commands` in order; resolves with the ones that failed (the caller decides what is benign). */
  run(commands: string[]): Promise<IpFailure[]> {
    if (this.closed) return Promise.reject(new Error('ip batch is closed'));
    if (commands.length === 0) return Promise.resolve([]);
    try {
      for (const c of commands) checkCommand(c);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const proc = this.process();
    return new Promise((resolve, reject) => {
      const firstLine = this.line + 1;
      this.line += commands.length + 1;
      this.pending.push({ firstLine, commands, sentinelLine: this.line, failures: [], resolve, reject });
      proc.stdin.write(`${commands.join('\n')}\n${SENTINEL}\n`);
    });
  }

  /** Like run(), but throws on any failure whose message does not match `benign`. */
  async runOrThrow(commands: string[], benign?: RegExp): Promise<void> {
    throwUnlessBenign(await this.run(commands), benign);
  }

  close(): void {
    this.closed = true;
    this.proc?.stdin.end();
    this.proc = undefined;
  }

  private process(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    // `2>&1` in a shell that execs: one pipe, so error lines and our sentinel's stay in order.
    const proc = spawn('sh', ['-c', 'exec ip -force -batch - 2>&1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    this.line = 0;
    this.buffered = '';
    this.message = [];
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => this.onOutput(chunk));
    proc.stdin.on('error', () => {});
    const died = (why: string): void => {
      if (this.proc === proc) this.proc = undefined;
      const err = new Error(`ip batch process ended (${why})${this.message.length ? `: ${this.message.join(' ')}` : ''}`);
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    proc.on('error', (e) => died(e.message));
    proc.on('close', (code, signal) => died(signal ? `signal ${signal}` : `exit code ${code}`));
    return proc;
  }

  private onOutput(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const text = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      this.onLine(text);
    }
  }

  private onLine(text: string): void {
    const m = /^Command failed -:(\d+)$/.exec(text);
    if (!m) {
      if (text.trim()) this.message.push(text.trim());
      return;
    }
    const line = Number(m[1]);
    const message = this.message.join(' ');
    this.message = [];
    // Requests finish in order; anything before the request owning `line` is complete too.
    while (this.pending.length > 0 && this.pending[0].sentinelLine < line) {
      const done = this.pending.shift()!;
      done.resolve(done.failures);
    }
    const head = this.pending[0];
    if (!head) return;
    if (line === head.sentinelLine) {
      this.pending.shift();
      head.resolve(head.failures);
    } else if (line >= head.firstLine) {
      head.failures.push({ command: head.commands[line - head.firstLine], message });
    }
  }
}

export function throwUnlessBenign(failures: IpFailure[], benign?: RegExp): void {
  const real = failures.filter((f) => !benign || !benign.test(f.message));
  if (real.length > 0) throw new Error(real.map((f) => `ip ${f.command}: ${f.message || 'failed'}`).join('; '));
}

/**
 * One `ip [globalArgs] -force -batch -` process for commands that need their own global options
 * (`-n NETNS`). Resolves with the failed commands, like IpBatch.run.
 */
export function runIpBatch(globalArgs: string[], commands: string[]): Promise<IpFailure[]> {
  return new Promise((resolve, reject) => {
    for (const c of commands) checkCommand(c);
    const proc = spawn('ip', [...globalArgs, '-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d: string) => (stderr += d));
    proc.stdin.on('error', () => {});
    proc.on('error', reject);
    proc.on('close', (code) => {
      const failures: IpFailure[] = [];
      let message: string[] = [];
      for (const text of stderr.split('\n')) {
        const m = /^Command failed -:(\d+)$/.exec(text);
        if (m) {
          failures.push({ command: commands[Number(m[1]) - 1] ?? '?', message: message.join(' ') });
          message = [];
        } else if (text.trim()) message.push(text.trim());
      }
      // A non-zero exit without attributed failures: ip gave up before running (e.g. no such netns).
      if (code !== 0 && failures.length === 0) failures.push({ command: `${globalArgs.join(' ')} -batch`, message: message.join(' ') || `exit code ${code}` });
      resolve(failures);
    });
    proc.stdin.end(`${commands.join('\n')}\n`);
  });
}

/** Runs one read-only `ip` command and returns its stdout (e.g. `-4 route show table all`). */
export function ipQuery(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => (out += d));
    proc.stderr.on('data', (d: string) => (err += d));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ip ${args.join(' ')}: ${err.trim() || `exit code ${code}`}`))));
  });
}
