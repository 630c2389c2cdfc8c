/**
 * cluster-watch: 100 concurrent HTTP watch streams on the ConfigMaps of one namespace, each started
 * at the list's resourceVersion; then writes one at a time and times, for every watcher, the span
 * from sending the create until that watcher has parsed the ADDED event.
 */
import type http from 'node:http';
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { HttpClient } from './lib/http-client.js';
import { isMain } from './lib/main.js';
import { configMapJson, configMapName, createNamespace } from './lib/objects.js';
import { emit, hostLoad, progress, type Figures } from './lib/report.js';
import { startServer, transportOf, type ServerProcess } from './lib/server.js';
import { scaled, summarize } from './lib/stats.js';

const NAMESPACE = 'bench-watch';
const OBJECT_BYTES = 300;
const EVENT_TIMEOUT_MS = 30_000;

interface WatchEvent {
  type: string;
  object?: { metadata?: { name?: string } };
}

/** One watch stream: splits the chunked body into lines and hands each parsed event on. */
class Watcher {
  private buffered = '';
  private waiting: { name: string; resolve: (at: number) => void } | undefined;
  private req: http.ClientRequest | undefined;
  private readonly early = new Map<string, number>();

  constructor(private readonly onFailure: (err: Error) => void) {}

  open(client: HttpClient, path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = client.requestFn(client.requestOptions('GET', path), (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.onData(chunk));
        res.on('end', () => this.onFailure(new Error('watch stream ended early')));
        resolve();
      });
      req.on('error', (err) => {
        reject(err);
        this.onFailure(err);
      });
      req.end();
      this.req = req;
    });
  }

  /** Resolves with performance.now() at the moment the ADDED event for `name` was parsed. */
  next(name: string): Promise<number> {
    const seen = this.early.get(name);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => (this.waiting = { name, resolve }));
  }

  close(): void {
    this.req?.removeAllListeners('error');
    this.req?.on('error', () => undefined);
    this.req?.destroy();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as WatchEvent;
      if (event.type === 'ERROR') this.onFailure(new Error(`watch ERROR event: ${line}`));
      if (event.type !== 'ADDED') continue;
      const name = event.object?.metadata?.name ?? '';
      const at = performance.now();
      if (this.waiting?.name === name) {
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve(at);
      } else {
        this.early.set(name, at);
      }
    }
  }
}

export async function benchWatch(): Promise<Figures> {
  const loadAtStart = hostLoad();
  const watcherCount = scaled(100, 10);
  const writes = scaled(20, 5);
  const dataDir = makeTempDir('watch');
  let server: ServerProcess | undefined;
  const watchers: Watcher[] = [];
  let watchClient: HttpClient | undefined;
  let writeClient: HttpClient | undefined;
  try {
    server = await startServer(dataDir);
    writeClient = new HttpClient(server.url, server.token, 1, server.ca);
    watchClient = new HttpClient(server.url, server.token, watcherCount, server.ca);
    await createNamespace(writeClient, NAMESPACE);
    // A few objects already there, so that the watchers start from a real list.
    for (let i = 0; i < 10; i++) await writeClient.ok('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, configMapJson(NAMESPACE, `seed-${i}`, OBJECT_BYTES));
    const list = JSON.parse((await writeClient.ok('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps`)).body.toString('utf8')) as { metadata: { resourceVersion: string } };
    const rv = list.metadata.resourceVersion;

    progress(`watch: opening ${watcherCount} watches at resourceVersion ${rv}`);
    let failure: Error | undefined;
    let closing = false;
    const onFailure = (err: Error): void => {
      if (!closing) failure ??= err;
    };
    const path = `/api/v1/namespaces/${NAMESPACE}/configmaps?watch=1&resourceVersion=${encodeURIComponent(rv)}`;
    for (let i = 0; i < watcherCount; i++) watchers.push(new Watcher(onFailure));
    const wc = watchClient;
    await Promise.all(watchers.map((w) => w.open(wc, path)));

    progress(`watch: ${writes} writes, each seen by ${watcherCount} watchers`);
    const all: number[] = [];
    const perWriteP99: number[] = [];
    const acks: number[] = [];
    // One unmeasured write first, so both processes have run the whole path once.
    for (let k = -1; k < writes; k++) {
      const name = k < 0 ? 'warmup' : configMapName(k);
      const body = configMapJson(NAMESPACE, name, OBJECT_BYTES);
      const seen = watchers.map((w) => w.next(name));
      const t0 = performance.now();
      const ack = writeClient.ok('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, body).then(() => performance.now() - t0);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure ?? new Error(`not every watcher saw ${name} within ${EVENT_TIMEOUT_MS} ms`)), EVENT_TIMEOUT_MS);
      });
      const [times, ackMs] = await Promise.race([Promise.all([Promise.all(seen), ack]), timeout]);
      clearTimeout(timer);
      if (failure) throw failure;
      if (k < 0) continue;
      const latencies = times.map((at) => at - t0);
      all.push(...latencies);
      perWriteP99.push(summarize(latencies).p99);
      acks.push(ackMs);
      await new Promise((r) => setTimeout(r, 20));
    }
    closing = true;

    const overall = summarize(all);
    const perWrite = summarize(perWriteP99);
    const ack = summarize(acks);
    const figures: Figures = {
      watchers: watcherCount,
      transport: transportOf(server.url),
      writes,
      samples: all.length,
      p50Ms: overall.p50,
      p99Ms: overall.p99,
      maxMs: overall.max,
      perWriteP99MedianMs: perWrite.p50,
      perWriteP99WorstMs: perWrite.max,
      writeAckP50Ms: ack.p50,
      writeAckMaxMs: ack.max,
      goal: 'p99Ms < 50',
      goalMet: overall.p99 < 50,
    };
    emit('cluster-watch', figures, loadAtStart);
    return figures;
  } finally {
    for (const w of watchers) w.close();
    watchClient?.close();
    writeClient?.close();
    await server?.stop();
    removeTempDir(dataDir);
  }
}

if (isMain(import.meta.url)) await benchWatch();
