/**
 * WATCH: a chunked stream of newline-delimited JSON events, resumable from a resourceVersion, with
 * selector transitions (an object leaving a selector is a DELETED), bookmarks, initial events,
 * timeouts and a bound on how far a slow client may fall behind.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import { apiVersionOf, groupResource, type KubeObject, type ResourceType } from '../objects.js';
import type { ObjectStore, StoreEvent, StoredObject } from '../store/object-store.js';
import { toTable } from '../table/table.js';
import { statusFor } from './http-io.js';
import { objectFilter } from './list.js';
import { partialMetadata, type Shape } from './negotiate.js';

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  name?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  shape: Shape;
  includeObject?: 'None' | 'Metadata' | 'Object';
}

export interface WatchSettings {
  bookmarkIntervalMs: number;
  /** A client this many bytes behind is cut off; it re-lists and re-watches. */
  maxBufferedBytes: number;
  /** Watches without a client timeout end after this to this ×2 seconds (kube-apiserver's --min-request-timeout). */
  minRequestTimeoutSeconds: number;
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, store: ObjectStore, type: ResourceType, namespace: string | undefined, opts: WatchOptions, settings: WatchSettings): void {
  const resource = groupResource(type);
  const filter = objectFilter(type, opts);
  const ns = type.namespaced ? namespace : undefined;
  const apiVersion = apiVersionOf(type);
  const inScope = (o: KubeObject | undefined): boolean => !!o && (!ns || o.metadata.namespace === ns) && (!filter || filter(o));
  let tableHeaderSent = false;

  const render = (eventType: string, stored: StoredObject): string => {
    if (opts.shape === 'table') {
      const table = toTable(type, [stored.obj.apiVersion === apiVersion ? stored.obj : { ...stored.obj, apiVersion }], { includeObject: opts.includeObject ?? 'Metadata', now: new Date() }) as { columnDefinitions?: unknown[] };
      if (tableHeaderSent) table.columnDefinitions = [];
      tableHeaderSent = true;
      return `{"type":"${eventType}","object":${JSON.stringify(table)}}\n`;
    }
    if (opts.shape === 'metadata') return `{"type":"${eventType}","object":${JSON.stringify(partialMetadata(stored.obj))}}\n`;
    const json = stored.obj.apiVersion === apiVersion ? stored.json : JSON.stringify({ ...stored.obj, apiVersion });
    return `{"type":"${eventType}","object":${json}}\n`;
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  let closed = false;
  let lastRV = 0;
  let stop: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  // Everything that must be undone is registered before the first byte is sent, so every exit
  // path (client gone, slow client cut off, timeout, error) releases the listener and the timers.
  const finish = (destroy: boolean): void => {
    if (closed) return;
    closed = true;
    stop?.();
    for (const t of timers) clearTimeout(t);
    if (destroy) res.destroy();
    else if (!res.writableEnded) res.end();
  };
  req.on('close', () => finish(false));
  res.on('close', () => finish(false));
  res.on('error', () => finish(true));
  if (req.destroyed) {
    finish(true);
    return;
  }

  const send = (line: string): void => {
    if (closed) return;
    res.write(line);
    if (res.writableLength > settings.maxBufferedBytes) finish(true);
  };
  let startRV = 0;
  const onEvent = (e: StoreEvent): void => {
    if (e.rv <= startRV) return; // already in the initial state
    lastRV = e.rv;
    const was = inScope(e.prev?.obj);
    const is = e.type !== 'DELETED' && inScope(e.object.obj);
    if (e.type === 'DELETED') {
      if (was) send(render('DELETED', e.object));
    } else if (was && is) send(render('MODIFIED', e.object));
    else if (is) send(render('ADDED', e.object));
    else if (was) send(render('DELETED', e.object));
  };
  const bookmark = (initialEventsEnd = false): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(Math.max(lastRV, store.resourceVersion)) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    send(`{"type":"BOOKMARK","object":${JSON.stringify({ kind: type.kind, apiVersion, metadata })}}\n`);
  };

  if (opts.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), settings.bookmarkIntervalMs));
  // Without a client timeout, end after a randomized min-request-timeout, so clients spread their re-watches.
  const min = settings.minRequestTimeoutSeconds;
  const timeoutMs = opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0 ? opts.timeoutSeconds * 1000 : (min + Math.random() * min) * 1000;
  timers.push(setTimeout(() => finish(false), timeoutMs));

  const rvParam = opts.resourceVersion ?? '';
  try {
    const fromRV = store.resourceVersion;
    if (opts.sendInitialEvents || rvParam === '' || rvParam === '0') {
      // Initial state as of the last durable version, then every change after it: no gap, no duplicate.
      const initial = store.listAt(resource, fromRV, ns);
      const sub = store.watch(resource, fromRV, onEvent);
      stop = sub.stop;
      startRV = lastRV = fromRV;
      for (const s of initial) if (inScope(s.obj)) send(render('ADDED', s));
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) bookmark(true);
      for (const e of sub.backlog) onEvent(e);
    } else {
      if (!/^\d+$/.test(rvParam)) throw new ApiError(400, 'BadRequest', `resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
      const sub = store.watch(resource, Number(rvParam), onEvent);
      stop = sub.stop;
      startRV = lastRV = Number(rvParam);
      for (const e of sub.backlog) onEvent(e);
    }
  } catch (err) {
    // Like kube-apiserver's watch cache: the stream opens, then carries one ERROR event (410 for a version too old).
    if (!closed) res.write(`{"type":"ERROR","object":${JSON.stringify(statusFor(err))}}\n`);
    finish(false);
  }
}
