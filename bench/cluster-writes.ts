/**
 * cluster-writes: durable ConfigMap creates per second over HTTP(S) with 8 concurrent keep-alive
 * clients, with p50/p99 latency, against etcd puts of the same JSON at the same concurrency.
 *
 * Both servers run for the whole benchmark and the measured work alternates between them in rounds
 * (Argosy, etcd, Argosy, etcd, ...), so that load from elsewhere on a shared machine falls on both
 * sides alike. Beside the rates it reports the CPU time each side's server process and the load
 * generator spent per operation, which tells CPU cost apart from waiting (fsync, scheduling).
 */
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { etcdPutClient, type EtcdPutClient } from './lib/etcd-client.js';
import { startEtcd, type EtcdProcess } from './lib/etcd.js';
import { HttpClient, runConcurrent } from './lib/http-client.js';
import { isMain } from './lib/main.js';
import { configMapJson, configMapName, createNamespace } from './lib/objects.js';
import { emit, hostLoad, progress, type Figures } from './lib/report.js';
import { cpuMsOf, memoryOf, startServer, transportOf, type ServerProcess } from './lib/server.js';
import { round, scaled, summarize } from './lib/stats.js';

const CONCURRENCY = 8;
const OBJECT_BYTES = 300;
const ROUNDS = 4;
const NAMESPACE = 'bench-writes';
const WARMUP_NAMESPACE = 'bench-warmup';

/** One side of the comparison: a server process and a way to write one object to it. */
interface Target {
  pid: number;
  write(namespace: string, name: string): Promise<void>;
}

/** What one side accumulates over the rounds. */
class Tally {
  latenciesMs: number[] = [];
  wallMs = 0;
  serverCpuMs = 0;
  clientCpuUs = 0;
  ops = 0;

  figures(): { perSec: number; p50Ms: number; p99Ms: number; maxMs: number; wallMs: number; serverCpuUsPerOp: number; clientCpuUsPerOp: number } {
    const s = summarize(this.latenciesMs);
    return {
      perSec: Math.round((this.ops * 1000) / this.wallMs),
      p50Ms: s.p50,
      p99Ms: s.p99,
      maxMs: s.max,
      wallMs: Math.round(this.wallMs),
      serverCpuUsPerOp: Math.round((this.serverCpuMs * 1000) / this.ops),
      clientCpuUsPerOp: Math.round(this.clientCpuUs / this.ops),
    };
  }
}

/** Writes objects [from, to) to `target` with CONCURRENCY workers, adding the timings to `tally`. */
async function writeRound(target: Target, tally: Tally, from: number, to: number): Promise<void> {
  const serverCpu0 = cpuMsOf(target.pid);
  const clientCpu0 = process.cpuUsage();
  const r = await runConcurrent(to - from, CONCURRENCY, (i) => target.write(NAMESPACE, configMapName(from + i)));
  const clientCpu = process.cpuUsage(clientCpu0);
  tally.serverCpuMs += cpuMsOf(target.pid) - serverCpu0;
  tally.clientCpuUs += clientCpu.user + clientCpu.system;
  tally.wallMs += r.wallMs;
  tally.ops += to - from;
  for (const ms of r.latenciesMs) tally.latenciesMs.push(ms);
}

export async function benchWrites(): Promise<Figures> {
  const loadAtStart = hostLoad();
  const total = scaled(20_000, 200);
  const warmup = scaled(1_000, 100);
  const dataDir = makeTempDir('writes');
  let server: ServerProcess | undefined;
  let client: HttpClient | undefined;
  let etcd: EtcdProcess | undefined;
  let etcdClient: EtcdPutClient | undefined;
  try {
    server = await startServer(dataDir);
    const http = (client = new HttpClient(server.url, server.token, CONCURRENCY, server.ca));
    await createNamespace(http, NAMESPACE);
    await createNamespace(http, WARMUP_NAMESPACE);
    const argosy: Target = {
      pid: server.pid,
      write: async (ns, name) => {
        await http.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, configMapJson(ns, name, OBJECT_BYTES));
      },
    };
    etcd = await startEtcd();
    const ec = (etcdClient = await etcdPutClient(etcd.clientUrl, CONCURRENCY));
    const baseline: Target = { pid: etcd.pid, write: (ns, name) => ec.put(`/registry/configmaps/${ns}/${name}`, configMapJson(ns, name, OBJECT_BYTES)) };

    progress(`writes: ${warmup} warm-up writes to each of argosy and etcd ${etcd.version} (${ec.name})`);
    for (const t of [argosy, baseline]) await runConcurrent(warmup, CONCURRENCY, (i) => t.write(WARMUP_NAMESPACE, configMapName(i)));

    const ours = new Tally();
    const theirs = new Tally();
    for (let r = 0; r < ROUNDS; r++) {
      const from = Math.floor((r * total) / ROUNDS);
      const to = Math.floor(((r + 1) * total) / ROUNDS);
      progress(`writes: round ${r + 1}/${ROUNDS}: ${to - from} creates to argosy, then ${to - from} puts to etcd, ${CONCURRENCY} concurrent`);
      await writeRound(argosy, ours, from, to);
      await writeRound(baseline, theirs, from, to);
    }
    const a = ours.figures();
    const e = theirs.figures();
    const ratio = round(a.perSec / e.perSec, 3);
    const figures: Figures = {
      creates: total,
      warmup,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      transport: transportOf(server.url),
      objectBytes: OBJECT_BYTES,
      createsPerSec: a.perSec,
      p50Ms: a.p50Ms,
      p99Ms: a.p99Ms,
      maxMs: a.maxMs,
      wallMs: a.wallMs,
      serverCpuUsPerCreate: a.serverCpuUsPerOp,
      clientCpuUsPerCreate: a.clientCpuUsPerOp,
      serverPeakRssMiB: memoryOf(server.pid).peakRssMiB,
      goal: 'ratio >= 0.5 and createsPerSec >= 3000',
      goalMet: ratio >= 0.5 && a.perSec >= 3000,
      baselinePutsPerSec: e.perSec,
      baselineP50Ms: e.p50Ms,
      baselineP99Ms: e.p99Ms,
      baselineMaxMs: e.maxMs,
      baselineServerCpuUsPerPut: e.serverCpuUsPerOp,
      baselineClientCpuUsPerPut: e.clientCpuUsPerOp,
      baselineClient: ec.name,
      baseline: `etcd ${etcd.version} (Debian etcd-server, default fsync): ${total} puts of the same ConfigMap JSON, ${CONCURRENCY} concurrent, interleaved in ${ROUNDS} rounds`,
      ratio,
    };
    emit('cluster-writes', figures, loadAtStart);
    return figures;
  } finally {
    client?.close();
    etcdClient?.close();
    await server?.stop();
    await etcd?.stop();
    removeTempDir(dataDir);
  }
}

if (isMain(import.meta.url)) await benchWrites();
