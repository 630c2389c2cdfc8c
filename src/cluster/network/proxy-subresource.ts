/**
 * `services/[https:]NAME[:PORT]/proxy/PATH` and `pods/[https:]NAME[:PORT]/proxy/PATH`: the API
 * server as an HTTP reverse proxy to a Service's ready endpoint or a pod's address, as
 * kube-apiserver's ResourceLocation + UpgradeAwareHandler do it (any method, path and query passed
 * on, bodies streamed both ways, the caller's Authorization not passed on). Errors as Kubernetes
 * words them: 404 for an unknown Service or pod, 503 `no endpoints available for service "x"`,
 * 503 `error trying to reach service: ...` when the backend refuses. `nodes/NAME/proxy` is not
 * served (404). Upgrades (WebSockets) are not proxied.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { SubresourceHandler } from '../api/api-handler.js';
import type { ResourceRequest } from '../api/request-info.js';
import { getArray, getString, isMap, type JsonMap } from '../builtin/util.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { KubeObject, ResourceType } from '../objects.js';

export interface ProxyTarget {
  scheme: 'http' | 'https';
  ip: string;
  /** Undefined: the scheme's default port (a pod proxied without a port and without declared ports). */
  port?: number;
}

interface StoreReader {
  get(resource: string, key: string): { obj: KubeObject } | undefined;
}

/** utilnet.SplitSchemeNamePort: `name`, `name:port` or `scheme:name:port`, scheme http, https or empty. */
export function splitSchemeNamePort(id: string): { scheme: '' | 'http' | 'https'; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme: scheme as '' | 'http' | 'https', name, port };
}

function specOf(o: KubeObject): JsonMap {
  return isMap(o.spec) ? (o.spec as JsonMap) : {};
}

/** Where `services/ID/proxy` goes (service REST ResourceLocation). */
export function serviceLocation(store: StoreReader, namespace: string, id: string, random: () => number = Math.random): ProxyTarget {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid service request "${id}"`);
  const { scheme, name } = parsed;
  let portName = parsed.port;
  const svc = store.get('services', `${namespace}/${name}`)?.obj;
  if (!svc) throw notFound('services', name);
  if (/^\d+$/.test(portName)) {
    const n = Number(portName);
    const port = (getArray(specOf(svc), 'ports') ?? []).find((p) => isMap(p) && p.port === n);
    if (!port) throw new ApiError(503, 'ServiceUnavailable', `no service port ${n} found for service "${name}"`);
    portName = getString(port, 'name');
  }
  const eps = store.get('endpoints', `${namespace}/${name}`)?.obj;
  if (!eps) throw notFound('endpoints', name);
  const subsets = (getArray(eps, 'subsets') ?? []).filter(isMap);
  // Start at a random subset and a random address, as kube-apiserver does.
  const seed = Math.floor(random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(seed + i) % subsets.length];
    const addresses = (getArray(ss, 'addresses') ?? []).map((a) => getString(a, 'ip')).filter(Boolean);
    const port = (getArray(ss, 'ports') ?? []).find((p) => getString(p, 'name') === portName);
    if (addresses.length === 0 || !isMap(port) || typeof port.port !== 'number') continue;
    return { scheme: scheme || 'http', ip: addresses[Math.floor(random() * addresses.length)], port: port.port };
  }
  throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
}

/** Where `pods/ID/proxy` goes (pod REST ResourceLocation); a named port is looked up among the containers' ports. */
export function podLocation(store: StoreReader, namespace: string, id: string): ProxyTarget {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid pod request "${id}"`);
  const { scheme, name } = parsed;
  const pod = store.get('pods', `${namespace}/${name}`)?.obj;
  if (!pod) throw notFound('pods', name);
  const containers = (getArray(specOf(pod), 'containers') ?? []).filter(isMap);
  const ports = containers.flatMap((c) => (getArray(c, 'ports') ?? []).filter(isMap));
  let port: number | undefined;
  if (parsed.port === '') {
    const first = ports[0]?.containerPort;
    port = typeof first === 'number' ? first : undefined;
  } else if (/^\d+$/.test(parsed.port)) {
    port = Number(parsed.port);
  } else {
    const named = ports.find((p) => getString(p, 'name') === parsed.port)?.containerPort;
    if (typeof named !== 'number') throw badRequest(`pod ${name} has no container port named "${parsed.port}"`);
    port = named;
  }
  const status = isMap(pod.status) ? (pod.status as JsonMap) : {};
  const ip = getString(status, 'podIP') || getString((getArray(status, 'podIPs') ?? [])[0], 'ip');
  if (!ip) throw badRequest('address not allowed');
  return { scheme: scheme || 'http', ip, ...(port !== undefined ? { port } : {}) };
}

/**
 * The path (with trailing slash kept) and query after `/proxy` in the raw request URL: the parsed
 * request info has both the slash and the percent-encoding normalised away.
 */
export function proxiedPath(rawUrl: string, resource: string, name: string): { path: string; search: string } | undefined {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const search = q < 0 ? '' : rawUrl.slice(q);
  const segs = rawPath.split('/');
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  for (let i = 2; i < segs.length; i++) {
    if (decode(segs[i]) === 'proxy' && decode(segs[i - 1]) === name && decode(segs[i - 2]) === resource) {
      const rest = segs.slice(i + 1);
      return { path: rest.length === 0 ? '' : `/${rest.join('/')}`, search };
    }
  }
  return undefined;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardHeaders(headers: IncomingHttpHeaders, drop: string[] = []): Record<string, string | string[]> {
  const connectionTokens = String(headers.connection ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || connectionTokens.includes(k) || drop.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

/** Node's connect errors in the words of Go's dialer, as kubectl users know them. */
function reachError(target: ProxyTarget, port: number, err: NodeJS.ErrnoException): string {
  const dial = `dial tcp ${target.ip}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `${dial}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${dial}: connect: no route to host`;
    case 'ETIMEDOUT':
      return `${dial}: i/o timeout`;
    default:
      return err.message;
  }
}

export class ProxySubresourceHandler implements SubresourceHandler {
  constructor(
    private readonly store: StoreReader,
    /** How long the backend gets to answer with headers (default 30 s). */
    private readonly timeoutMs = 30_000,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, type: ResourceType): Promise<boolean> {
    if (type.custom || type.group !== '' || info.subresource !== 'proxy' || info.name === undefined) return false;
    if (type.plural !== 'services' && type.plural !== 'pods') return false;
    const namespace = info.namespace ?? '';
    const target = type.plural === 'services' ? serviceLocation(this.store, namespace, info.name) : podLocation(this.store, namespace, info.name);
    const where = proxiedPath(req.url ?? '', type.plural, info.name) ?? { path: info.subpath ? `/${info.subpath}` : '', search: '' };
    if (where.path === '') {
      // Like Kubernetes (issue 4958): relative links on the proxied page need the trailing slash.
      const q = (req.url ?? '').indexOf('?');
      const rawPath = q < 0 ? (req.url ?? '') : (req.url ?? '').slice(0, q);
      res.writeHead(301, { Location: `${rawPath}/${where.search}` });
      res.end();
      return true;
    }
    await this.forward(req, res, target, `${where.path}${where.search}`);
    return true;
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: ProxyTarget, path: string): Promise<void> {
    const port = target.port ?? (target.scheme === 'https' ? 443 : 80);
    const headers = forwardHeaders(req.headers, ['authorization', 'host']);
    const remote = req.socket.remoteAddress;
    if (remote) headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${String(headers['x-forwarded-for'])}, ${remote}` : remote;
    headers.host = target.port === undefined ? target.ip : `${target.ip}:${port}`;
    const options: https.RequestOptions = { host: target.ip, port, method: req.method, path, headers, timeout: this.timeoutMs };
    // Backends are pods with whatever certificate they have: kube-apiserver does not verify them either.
    if (target.scheme === 'https') options.rejectUnauthorized = false;
    return new Promise((resolve, reject) => {
      const upstream = (target.scheme === 'https' ? https : http).request(options);
      let settled = false;
      const done = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('timeout awaiting response headers'), { code: 'ETIMEDOUT' })));
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (!res.headersSent) done(new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${reachError(target, port, err)}`));
        else {
          res.destroy();
          done();
        }
      });
      upstream.on('response', (answer) => {
        upstream.setTimeout(0);
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardHeaders(answer.headers));
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        res.on('close', () => {
          answer.destroy();
          done();
        });
      });
      req.on('aborted', () => upstream.destroy());
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    });
  }
}
