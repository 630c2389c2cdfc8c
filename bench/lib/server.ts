/**
 * The Argosy API server as a separate process (so the load generator never shares its event loop),
 * started exactly as test/support/cluster-process.ts does: `node --import tsx src/cli/run.ts cluster
 * start --data-dir D --port 0`, URL parsed from "Kubernetes API serving at URL", admin token from
 * the first field of D/tokens.csv, and (when it serves https) the CA to trust from D/pki/ca.crt.
 *
 * BENCH_CLUSTER_ARGS adds `cluster start` options (e.g. `--pod-network host` to compare without
 * network namespaces). BENCH_SERVER_NODE_FLAGS adds node flags to the server process, e.g.
 * `BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild, waitForExit } from './cleanup.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  token: string;
  /** PEM of the cluster CA when the server has one (https), else undefined. */
  ca: string | undefined;
  dataDir: string;
  pid: number;
  child: ChildProcess;
  /** performance.now() when the process was spawned and when it printed its URL. */
  spawnedAt: number;
  servingAt: number;
  output(): string;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServer(dataDir: string): Promise<ServerProcess> {
  const extraFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const spawnedAt = performance.now();
  const extraArgs = (process.env.BENCH_CLUSTER_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...extraFlags, '--import', 'tsx', path.join(REPO_ROOT, 'src/cli/run.ts'), 'cluster', 'start', '--data-dir', dataDir, '--port', '0', ...extraArgs], {
    cwd: REPO_ROOT,
    env: { ...process.env, ARGOSY_LOG_LEVEL: process.env.ARGOSY_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let out = '';
  const append = (d: Buffer): void => {
    // Keep the tail only: a long run's warnings must not grow without bound.
    out = (out + d.toString()).slice(-64 * 1024);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 120s:\n${out}`)), 120_000);
    const check = (): void => {
      const m = /Kubernetes API serving at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.off('exit', onExit);
        resolve(m[1]);
      }
    };
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving:\n${out}`));
    };
    child.stdout!.on('data', check);
    child.once('exit', onExit);
  });
  const servingAt = performance.now();
  const token = fs.readFileSync(path.join(dataDir, 'tokens.csv'), 'utf8').split(',')[0];
  const caFile = path.join(dataDir, 'pki', 'ca.crt');
  const ca = fs.existsSync(caFile) ? fs.readFileSync(caFile, 'utf8') : undefined;
  return {
    url,
    token,
    ca,
    dataDir,
    pid: child.pid!,
    child,
    spawnedAt,
    servingAt,
    output: () => out,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return waitForExit(child, 60_000);
    },
  };
}

/** VmHWM (peak resident set) and VmRSS of a process, in MiB, from /proc/PID/status. */
export function memoryOf(pid: number): { peakRssMiB: number; rssMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : Number.NaN;
  };
  return { peakRssMiB: Math.round(kib('VmHWM') / 1024), rssMiB: Math.round(kib('VmRSS') / 1024) };
}

/** Polls GET /readyz (a fresh connection each time) until it answers 200; resolves at that moment. */
export async function waitReady(server: Pick<ServerProcess, 'url' | 'ca'>, timeoutMs = 60_000): Promise<void> {
  const { url, ca } = server;
  const get = url.startsWith('https:') ? https.get : http.get;
  const deadline = performance.now() + timeoutMs;
  while (true) {
    const status = await new Promise<number>((resolve) => {
      const req = get(`${url}/readyz`, { agent: false, ...(ca ? { ca } : {}) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200) return;
    if (performance.now() > deadline) throw new Error(`${url}/readyz did not answer 200 within ${timeoutMs} ms (last: ${status})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** "https" or "http": what the server's URL says, reported beside the figures. */
export function transportOf(url: string): string {
  return new URL(url).protocol.replace(/:$/, '');
}

let clockTicks: number | undefined;

/** User + system CPU time a process has used so far, in ms, from /proc/PID/stat. */
export function cpuMsOf(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks;
}
