/**
 * Container probes as the kubelet's prober runs them: httpGet (2xx/3xx is success, the pod IP by
 * default, `kube-probe` user agent, no keep-alive), tcpSocket (a connection is success), exec (exit
 * 0 is success; run by the caller inside the container's namespaces) and grpc (checked as a TCP
 * connection: there is no gRPC client here). A ProbeLoop applies initialDelaySeconds,
 * periodSeconds, timeoutSeconds and the success/failure thresholds, and reports changes of result.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ContainerPort, Probe, ProbeHandler } from './types.js';

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed, worded as the kubelet words it (goes into the Unhealthy event). */
  message: string;
}

export interface ProbeTarget {
  /** Where httpGet and tcpSocket connect when the probe names no host. */
  host: string;
  ports: ContainerPort[];
  /** Runs a command in the container; resolves with its exit code and combined output. */
  exec(command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
}

const USER_AGENT = 'kube-probe/1.34';

export function resolvePort(port: number | string, ports: ContainerPort[]): number | string {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = ports.find((p) => p.name === port);
  return named ? named.containerPort : `couldn't find port: ${port} in the container's ports`;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function dialError(err: NodeJS.ErrnoException, address: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${address}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${address}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${address}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${address}: read: connection reset by peer`;
    default:
      return err.message;
  }
}

function httpProbe(h: NonNullable<ProbeHandler['httpGet']>, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(h.port, target.ports);
  if (typeof port === 'string') return Promise.resolve({ ok: false, message: port });
  const scheme = (h.scheme ?? 'HTTP').toLowerCase();
  const host = h.host || target.host;
  let reqPath = h.path ?? '/';
  if (!reqPath.startsWith('/')) reqPath = `/${reqPath}`;
  const url = `${scheme}://${hostPort(host, port)}${reqPath}`;
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*' };
  for (const hdr of h.httpHeaders ?? []) headers[hdr.name] = hdr.value;
  const lib = scheme === 'https' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = lib.request(url, { method: 'GET', headers, agent: false, rejectUnauthorized: false }, (res) => {
      const code = res.statusCode ?? 0;
      // Read (a bounded part of) the body, as the kubelet does, then let the connection go.
      res.on('data', () => {});
      res.on('end', () => done(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` }));
      res.on('error', () => done({ ok: false, message: `HTTP probe failed with statuscode: ${code}` }));
    });
    const timer = setTimeout(() => {
      done({ ok: false, message: `Get ${JSON.stringify(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, message: `Get ${JSON.stringify(url)}: ${dialError(err, hostPort(host, port))}` }));
    req.end();
  });
}

function tcpProbe(portSpec: number | string, hostSpec: string | undefined, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(portSpec, target.ports);
  if (typeof port === 'string') return Promise.resolve({ ok: false, message: port });
  const host = hostSpec || target.host;
  const address = hostPort(host, port);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${address}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, message: '' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, message: dialError(err, address) });
    });
  });
}

async function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const r = await target.exec(command, timeoutMs);
  if (r.timedOut) return { ok: false, message: `command ${JSON.stringify(command.join(' '))} timed out after ${goSeconds(timeoutMs)}` };
  if (r.exitCode === 0) return { ok: true, message: '' };
  const output = r.output.trim();
  return { ok: false, message: output || `command ${JSON.stringify(command.join(' '))} exited with ${r.exitCode}` };
}

function goSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/** Runs one probe attempt. */
export async function runProbe(probe: ProbeHandler, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    if (probe.exec) return await execProbe(probe.exec.command ?? [], target, timeoutMs);
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket.port, probe.tcpSocket.host, target, timeoutMs);
    if (probe.grpc) return await tcpProbe(probe.grpc.port, undefined, target, timeoutMs);
    return { ok: false, message: 'probe has no handler (exec, httpGet, tcpSocket or grpc)' };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

export type ProbeKind = 'Readiness' | 'Liveness' | 'Startup';

export interface ProbeLoopHandlers {
  /** Called when the probe's result changes (after the thresholds), and with each failed attempt's message. */
  onResult(ok: boolean): void;
  onFailedAttempt(message: string): void;
}

/**
 * One probe of one container run: waits initialDelaySeconds, then probes every periodSeconds.
 * The result starts as failure (readiness, startup) or success (liveness) and flips after
 * successThreshold consecutive successes or failureThreshold consecutive failures.
 */
export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private result: boolean;
  private successes = 0;
  private failures = 0;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly attempt: (timeoutMs: number) => Promise<ProbeOutcome>,
    private readonly handlers: ProbeLoopHandlers,
  ) {
    this.result = kind === 'Liveness';
  }

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const outcome = await this.attempt((this.probe.timeoutSeconds ?? 1) * 1000);
    if (this.stopped) return;
    if (outcome.ok) {
      this.failures = 0;
      this.successes++;
      if (!this.result && this.successes >= (this.probe.successThreshold ?? 1)) this.flip(true);
    } else {
      this.successes = 0;
      this.failures++;
      this.handlers.onFailedAttempt(outcome.message);
      if (this.failures >= (this.probe.failureThreshold ?? 3) && (this.result || this.kind !== 'Readiness')) this.flip(false);
    }
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  private flip(ok: boolean): void {
    this.result = ok;
    if (!ok) this.failures = 0;
    this.handlers.onResult(ok);
  }
}
