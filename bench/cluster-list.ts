/**
 * cluster-list: with 100,000 ConfigMaps stored, the time to LIST them all in one request (first and
 * best of 3), the response size, the server's peak RSS, and the restart: SIGTERM, start again on the
 * same data dir, and time until /readyz answers 200 and until the first full LIST succeeds.
 */
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { HttpClient, runConcurrent } from './lib/http-client.js';
import { isMain } from './lib/main.js';
import { configMapJson, configMapName, createNamespace } from './lib/objects.js';
import { emit, hostLoad, progress, type Figures } from './lib/report.js';
import { memoryOf, startServer, transportOf, waitReady, type ServerProcess } from './lib/server.js';
import { round, scaled, since } from './lib/stats.js';

const FILL_CONCURRENCY = 32;
const NAMESPACE = 'bench-list';
const LIST_PATH = `/api/v1/namespaces/${NAMESPACE}/configmaps`;

/** One full LIST, timed to its last byte (`doneAt`); checks the item count outside the timing. */
async function timedList(client: HttpClient, expected: number): Promise<{ ms: number; bytes: number; doneAt: number }> {
  const t0 = performance.now();
  const res = await client.ok('GET', LIST_PATH);
  const doneAt = performance.now();
  const items = (JSON.parse(res.body.toString('utf8')) as { items?: unknown[] }).items?.length;
  if (items !== expected) throw new Error(`LIST returned ${items} items, expected ${expected}`);
  return { ms: doneAt - t0, bytes: res.body.length, doneAt };
}

export async function benchList(): Promise<Figures> {
  const loadAtStart = hostLoad();
  const total = scaled(100_000, 1_000);
  const dataDir = makeTempDir('list');
  let server: ServerProcess | undefined;
  let client: HttpClient | undefined;
  try {
    server = await startServer(dataDir);
    await waitReady(server);
    const emptyStartToReadyMs = since(server.spawnedAt);
    client = new HttpClient(server.url, server.token, FILL_CONCURRENCY, server.ca);
    await createNamespace(client, NAMESPACE);

    progress(`list: storing ${total} ConfigMaps, ${FILL_CONCURRENCY} concurrent`);
    const c = client;
    const fill = await runConcurrent(total, FILL_CONCURRENCY, async (i) => {
      const name = configMapName(i);
      await c.ok('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, configMapJson(NAMESPACE, name, 0));
    });

    progress('list: 3 full LISTs');
    const lists: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const r = await timedList(client, total);
      lists.push(r.ms);
      bytes = r.bytes;
    }
    const memBefore = memoryOf(server.pid);
    client.close();
    client = undefined;

    progress('list: restart (SIGTERM, start on the same data dir)');
    const stopT0 = performance.now();
    const code = await server.stop('SIGTERM');
    const stopMs = since(stopT0);
    if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM:\n${server.output()}`);
    server = await startServer(dataDir);
    const restartToServingMs = server.servingAt - server.spawnedAt;
    await waitReady(server);
    const restartToReadyMs = since(server.spawnedAt);
    client = new HttpClient(server.url, server.token, 1, server.ca);
    const firstAfterRestart = await timedList(client, total);
    const restartToFirstListMs = firstAfterRestart.doneAt - server.spawnedAt;
    const memAfter = memoryOf(server.pid);

    const firstMs = lists[0];
    const bestMs = Math.min(...lists);
    const figures: Figures = {
      objects: total,
      transport: transportOf(server.url),
      fillConcurrency: FILL_CONCURRENCY,
      fillCreatesPerSec: Math.round((total * 1000) / fill.wallMs),
      listFirstMs: round(firstMs),
      listBestOf3Ms: round(bestMs),
      listRunsMs: lists.map((ms) => round(ms)),
      responseBytes: bytes,
      serverPeakRssMiB: memBefore.peakRssMiB,
      serverRssAfterListsMiB: memBefore.rssMiB,
      stopMs: round(stopMs),
      restartToServingMs: round(restartToServingMs),
      restartToReadyMs: round(restartToReadyMs),
      restartToFirstListMs: round(restartToFirstListMs),
      firstListAfterRestartMs: round(firstAfterRestart.ms),
      restartedServerPeakRssMiB: memAfter.peakRssMiB,
      emptyStartToReadyMs: round(emptyStartToReadyMs),
      goal: 'listBestOf3Ms < 1000 and restartToReadyMs < 2000',
      goalMet: bestMs < 1000 && restartToReadyMs < 2000,
    };
    emit('cluster-list', figures, loadAtStart);
    return figures;
  } finally {
    client?.close();
    await server?.stop();
    removeTempDir(dataDir);
  }
}

if (isMain(import.meta.url)) await benchList();
