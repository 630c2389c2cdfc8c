/**
 * Runs a real kubectl binary against a test cluster: its own HOME and discovery cache dir (so
 * nothing leaks between runs or into the user's ~/.kube), a minimal environment, and helpers for
 * long-running commands (`get -w`, `wait`, `delete` that waits) started in the background.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir } from './cluster-process.js';

export const KUBECTL_VERSIONS = ['1.32', '1.35'] as const;
export type KubectlVersion = (typeof KUBECTL_VERSIONS)[number];

export function kubectlBinary(version: KubectlVersion): string {
  return path.join(REPO_ROOT, '.tools', `kubectl-${version}`, 'kubectl');
}

export interface KubectlResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin (for `-f -`). */
  input?: string;
  timeoutMs?: number;
}

function describeRun(args: string[], r: KubectlResult): string {
  return `kubectl ${args.join(' ')}\n  exit: ${r.code}\n  stdout: ${r.stdout.trim() || '(empty)'}\n  stderr: ${r.stderr.trim() || '(empty)'}`;
}

/** A kubectl command running in the background. */
export class BackgroundKubectl {
  stdout = '';
  stderr = '';
  readonly done: Promise<KubectlResult>;
  private exited = false;

  constructor(
    readonly args: string[],
    readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.done = new Promise((resolve) => {
      child.once('close', (code) => {
        this.exited = true;
        resolve({ code, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  describe(): string {
    return `kubectl ${this.args.join(' ')} (${this.exited ? 'exited' : 'running'})\n  stdout: ${this.stdout.trim() || '(empty)'}\n  stderr: ${this.stderr.trim() || '(empty)'}`;
  }

  /** Resolves once stdout matches `re`; rejects (with what was printed) after `timeoutMs` or if the command exits first. */
  async waitForOutput(re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = re.exec(this.stdout);
      if (m) return m;
      if (this.exited) break;
      await sleep(50);
    }
    const m = re.exec(this.stdout);
    if (m) return m;
    throw new Error(`expected output matching ${re} ${this.exited ? 'before the command exited' : `within ${timeoutMs}ms`}:\n${this.describe()}`);
  }

  /** Resolves with the result once the command exits; rejects after `timeoutMs` (the command is then killed). */
  async finish(timeoutMs = 30_000): Promise<KubectlResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`command did not finish within ${timeoutMs}ms:\n${this.describe()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.exited && this.child.pid !== undefined) this.child.kill('SIGKILL');
  }

  async stop(): Promise<KubectlResult> {
    this.kill();
    return this.done;
  }
}

export class Kubectl {
  readonly home: string;
  readonly cacheDir: string;
  private readonly background = new Set<BackgroundKubectl>();

  constructor(
    readonly version: KubectlVersion,
    readonly kubeconfig: string,
  ) {
    this.home = tempDir(`kubectl-${version}-home`);
    this.cacheDir = tempDir(`kubectl-${version}-cache`);
  }

  get bin(): string {
    return kubectlBinary(this.version);
  }

  env(): NodeJS.ProcessEnv {
    // A minimal environment: no KUBECTL_* settings from the caller leak in; PATH keeps `diff` reachable.
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      KUBECONFIG: this.kubeconfig,
      HOME: this.home,
      KUBECACHEDIR: this.cacheDir,
      LANG: 'C',
      TZ: 'UTC',
    };
  }

  private spawn(args: string[], input?: string): ChildProcess {
    const child = spawn(this.bin, args, { env: this.env(), cwd: this.home, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.on('error', () => undefined);
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
    return child;
  }

  /** Runs kubectl to completion. Never rejects on a non-zero exit: check `code`. */
  async run(args: string[], options: RunOptions = {}): Promise<KubectlResult> {
    const bg = new BackgroundKubectl(args, this.spawn(args, options.input));
    this.background.add(bg);
    try {
      return await bg.finish(options.timeoutMs ?? 30_000);
    } finally {
      this.background.delete(bg);
    }
  }

  /** Runs kubectl, failing the test (with the full output) unless it exits 0; returns stdout. */
  async ok(args: string[], options: RunOptions = {}): Promise<string> {
    const r = await this.run(args, options);
    if (r.code !== 0) throw new Error(`expected success:\n${describeRun(args, r)}`);
    return r.stdout;
  }

  /** Runs kubectl, failing the test unless it exits with `code` (default: any non-zero). */
  async fails(args: string[], code?: number, options: RunOptions = {}): Promise<KubectlResult> {
    const r = await this.run(args, options);
    if (code === undefined ? r.code === 0 : r.code !== code) throw new Error(`expected exit ${code ?? 'non-zero'}:\n${describeRun(args, r)}`);
    return r;
  }

  start(args: string[]): BackgroundKubectl {
    const bg = new BackgroundKubectl(args, this.spawn(args));
    this.background.add(bg);
    void bg.done.then(() => this.background.delete(bg));
    return bg;
  }

  /** Kills every command still running and removes the temp dirs. */
  async dispose(): Promise<void> {
    await Promise.all([...this.background].map((bg) => bg.stop()));
    fs.rmSync(this.home, { recursive: true, force: true });
    fs.rmSync(this.cacheDir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { eventually } from './in-process-cluster.js';

/**
 * Parses kubectl's table output into one record per row, keyed by the header's column names. Cells
 * are cut at the header's column offsets (kubectl left-aligns every column), so empty cells work.
 */
export function parseTable(out: string): Record<string, string>[] {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0];
  const columns: { name: string; start: number }[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) columns.push({ name: m[0], start: m.index });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    columns.forEach((c, i) => {
      const end = i + 1 < columns.length ? columns[i + 1].start : undefined;
      row[c.name] = line.slice(c.start, end).trim();
    });
    return row;
  });
}
