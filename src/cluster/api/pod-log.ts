/**
 * `GET pods/NAME/log`: container selection and errors as kube-apiserver does them, with the log
 * text supplied by whatever runs the pods (the local kubelet registers a PodLogSource). Until a
 * pod is bound to a node there is nothing to read, which Kubernetes answers with an empty body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { KubeObject, ResourceType } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import type { SubresourceHandler } from './api-handler.js';
import type { ResourceRequest } from './request-info.js';

export interface PodLogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** Streams a container's log into `res` (already 200, text/plain); resolves when done. */
export interface PodLogSource {
  /** Throws the ApiError for a request that cannot be served (e.g. `previous` with no previous run), before any byte is sent. */
  check?(pod: KubeObject, options: PodLogOptions): void;
  stream(pod: KubeObject, options: PodLogOptions, res: ServerResponse, signal: AbortSignal): Promise<void>;
}

interface ContainerSpec {
  name: string;
}

function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw badRequest(`${name}: Invalid value: ${JSON.stringify(v)}: must be an integer >= ${min}`);
  return n;
}

export class PodLogHandler implements SubresourceHandler {
  source: PodLogSource | undefined;

  constructor(private readonly store: ObjectStore) {}

  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, type: ResourceType): Promise<boolean> {
    if (type.custom || type.group !== '' || type.plural !== 'pods' || info.subresource !== 'log') return false;
    if (info.verb !== 'get') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const stored = this.store.get('pods', `${info.namespace}/${info.name}`);
    if (!stored) throw notFound('pods', info.name!);
    const pod = stored.obj;
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const spec = (pod.spec ?? {}) as { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; ephemeralContainers?: ContainerSpec[]; nodeName?: string };
    const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
    let container = q.get('container') ?? '';
    if (!container) {
      const defaulted = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
      if ((spec.containers ?? []).length === 1) container = spec.containers![0].name;
      else if (defaulted && containers.includes(defaulted)) container = defaulted;
      else {
        const init = (spec.initContainers ?? []).map((c) => c.name);
        throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${(spec.containers ?? []).map((c) => c.name).join(' ')}]${init.length ? ` or one of the init containers: [${init.join(' ')}]` : ''}`);
      }
    }
    if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    const options: PodLogOptions = {
      container,
      follow: q.get('follow') === 'true',
      previous: q.get('previous') === 'true',
      timestamps: q.get('timestamps') === 'true',
    };
    const tail = intParam(q, 'tailLines', 0);
    if (tail !== undefined) options.tailLines = tail;
    const since = intParam(q, 'sinceSeconds', 1);
    if (since !== undefined) options.sinceSeconds = since;
    const limit = intParam(q, 'limitBytes', 1);
    if (limit !== undefined) options.limitBytes = limit;

    if (!spec.nodeName || !this.source) {
      // Not bound to a node (or no kubelet): there is no log yet.
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
      res.end();
      return true;
    }
    this.source.check?.(pod, options);
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    await this.source.stream(pod, options, res, abort.signal);
    if (!res.writableEnded) res.end();
    return true;
  }
}
