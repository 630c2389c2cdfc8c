/**
 * The HTTP face of the embedded API server: authentication, authorization, discovery, OpenAPI and
 * the resource verbs, mapped onto Kubernetes' paths, content types and Status errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fieldManagerFor, validateFieldManager } from '../apply/default-manager.js';
import { escalationMessage, forbiddenMessage, isPublicPath, ungrantableRules, type RbacAuthorizer } from '../auth/rbac.js';
import type { Identity, TokenFile } from '../auth/token-file.js';
import { ApiError, badRequest } from '../errors.js';
import { apiVersionOf, type KubeObject, type ResourceType } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import { toTable } from '../table/table.js';
import { aggregatedContentType, aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { addWarning, decodeBody, mediaType, readBody, sendJson, sendStatus } from './http-io.js';
import { listObjects, type ListOptions } from './list.js';
import { negotiateShape, partialMetadata, wantsAggregatedDiscovery } from './negotiate.js';
import type { OpenApiCache } from './openapi-cache.js';
import { parseRequestInfo, isTrue, type ResourceRequest } from './request-info.js';
import type { ResourceRegistry } from './resource-registry.js';
import type { DeleteOptions, FieldValidation, PatchType, RequestScope, ResourceService } from './resource-service.js';
import { serveWatch, type WatchSettings } from './watch.js';

export const KUBERNETES_VERSION = { major: '1', minor: '34', gitVersion: 'v1.34.0-argosy' };

/** Handlers for subresources that need more than the store (pod logs, proxies): supplied by the kubelet layer. */
export interface SubresourceHandler {
  handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, type: ResourceType, user: Identity): Promise<boolean>;
}

export interface ApiHandlerDeps {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  tokens: TokenFile;
  authorizer: RbacAuthorizer;
  openapi: OpenApiCache;
  watch: WatchSettings;
  serverAddress: () => string;
  subresources: SubresourceHandler[];
  isReady: () => boolean;
  log: { error: (obj: object, msg: string) => void };
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+json': 'apply',
};

export function createApiHandler(deps: ApiHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (!(err instanceof ApiError) || err.code >= 500) deps.log.error({ err, method: req.method, url: req.url }, 'request failed');
      sendStatus(req, res, err);
    });
  };
}

async function handle(deps: ApiHandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';

  if ((method === 'GET' || method === 'HEAD') && isPublicPath(path)) return servePublic(deps, req, res, path);

  const user = deps.tokens.authenticate(req.headers.authorization);
  if (!user) throw new ApiError(401, 'Unauthorized', 'Unauthorized');

  const info = parseRequestInfo(method, path, url.searchParams);
  if (info.kind === 'nonresource') {
    if (!deps.authorizer.authorizeNonResource(user, { verb: method === 'HEAD' ? 'get' : method.toLowerCase(), path })) {
      throw new ApiError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${method.toLowerCase()} path "${path}"`);
    }
    return serveNonResource(deps, req, res, path, method);
  }
  return serveResource(deps, req, res, info, url.searchParams, user);
}

function servePublic(deps: ApiHandlerDeps, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (path === '/version') {
    sendJson(req, res, 200, { ...KUBERNETES_VERSION, gitCommit: 'argosy', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'n/a', compiler: 'tsc', platform: `${process.platform}/${process.arch}` });
    return;
  }
  const ready = path.startsWith('/readyz') ? deps.isReady() : true;
  const body = ready ? 'ok' : '[-]store not ready\nreadyz check failed';
  res.writeHead(ready ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

function serveNonResource(deps: ApiHandlerDeps, req: IncomingMessage, res: ServerResponse, path: string, method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const { registry } = deps;
  const accept = req.headers.accept;
  if (path === '/api' || path === '/apis') {
    const aggregated = wantsAggregatedDiscovery(accept);
    if (aggregated) {
      sendJson(req, res, 200, aggregatedDiscovery(registry, path === '/api', aggregated), undefined, aggregatedContentType(aggregated));
      return;
    }
    sendJson(req, res, 200, path === '/api' ? apiVersions(deps.serverAddress()) : apiGroupList(registry));
    return;
  }
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) {
    const doc = apiResourceList(registry, '', parts[1]);
    if (doc) return sendJson(req, res, 200, doc);
  } else if (parts[0] === 'apis' && parts.length === 2) {
    const doc = apiGroupDoc(registry, parts[1]);
    if (doc) return sendJson(req, res, 200, doc);
  } else if (parts[0] === 'apis' && parts.length === 3) {
    const doc = apiResourceList(registry, parts[1], parts[2]);
    if (doc) return sendJson(req, res, 200, doc);
  } else if (parts[0] === 'openapi') {
    if (deps.openapi.serve(req, res, path)) return;
  }
  throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}

function fieldValidationOf(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v !== 'Ignore' && v !== 'Warn' && v !== 'Strict') {
    throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Warn", "Strict"`);
  }
  return v;
}

function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

async function serveResource(deps: ApiHandlerDeps, req: IncomingMessage, res: ServerResponse, info: ResourceRequest, q: URLSearchParams, user: Identity): Promise<void> {
  const { registry, service, store } = deps;
  const type = registry.lookup(info.group, info.version, info.resource);
  if (!type) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  if (!type.namespaced && info.namespace !== undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');

  const attrs = { verb: info.verb, group: info.group, resource: info.resource, ...(info.subresource ? { subresource: info.subresource } : {}), ...(info.namespace ? { namespace: info.namespace } : {}), ...(info.name ? { name: info.name } : {}) };
  if (!deps.authorizer.authorizeResource(user, attrs)) throw new ApiError(403, 'Forbidden', forbiddenMessage(user, attrs), { name: info.name ?? '', group: info.group, kind: info.resource });

  for (const handler of deps.subresources) {
    if (await handler.handle(req, res, info, type, user)) return;
  }
  if (info.subresource && !['status', 'scale', 'finalize', ...(type.plural === 'pods' && !type.custom && info.verb === 'create' ? ['binding'] : [])].includes(info.subresource)) {
    throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${info.verb} ${info.resource}/${info.subresource})`);
  }
  if (info.verb === 'create' && info.name !== undefined && !info.subresource) {
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
  const subVerbOk = !info.subresource || ['get', 'update', 'patch'].includes(info.verb) || (info.subresource === 'binding' && info.verb === 'create');
  if (!subVerbOk || (!info.subresource && !type.verbs.includes(info.verb))) {
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
  if (type.namespaced && info.namespace === undefined && !['list', 'watch'].includes(info.verb)) {
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${info.verb} of a namespaced ${type.kind} needs a namespace in the path`);
  }
  if (type.group === 'authorization.k8s.io' || type.group === 'authentication.k8s.io') {
    return serveReview(deps, req, res, info, type, user);
  }

  const scope: RequestScope = { type, user, dryRun: dryRunOf(q), warn: (m) => addWarning(res, m) };
  if (!type.custom && type.group === 'rbac.authorization.k8s.io') {
    scope.admit = (obj) => {
      const missing = ungrantableRules(deps.authorizer, user, obj, type.kind);
      if (missing.length > 0) throw new ApiError(403, 'Forbidden', escalationMessage(user, obj, type.plural, missing), { name: obj.metadata.name ?? '', group: type.group, kind: type.plural });
    };
  }
  if (info.namespace !== undefined) scope.namespace = info.namespace;
  const fieldValidation = fieldValidationOf(q);
  if (fieldValidation) scope.fieldValidation = fieldValidation;
  const shape = negotiateShape(req.headers.accept);
  const includeObject = (q.get('includeObject') as 'None' | 'Metadata' | 'Object' | null) ?? 'Metadata';

  switch (info.verb) {
    case 'get': {
      const obj = await store.readCommitted(() => service.get(scope, info.name!, info.subresource));
      return sendObject(req, res, 200, type, obj, shape, includeObject);
    }
    case 'list': {
      const opts: ListOptions = {};
      for (const k of ['labelSelector', 'fieldSelector', 'continue', 'resourceVersion', 'resourceVersionMatch'] as const) {
        const v = q.get(k);
        if (v !== null && v !== '') opts[k] = v;
      }
      const limit = queryInt(q, 'limit');
      if (limit !== undefined) opts.limit = limit;
      const result = await store.readCommitted(() => listObjects(store, type, info.namespace, opts));
      const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
      if (result.continue) metadata.continue = result.continue;
      if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
      if (shape === 'table') {
        const table = toTable(type, result.items.map((s) => service.present(type, s).obj), { includeObject, now: new Date(), listMeta: metadata });
        return sendJson(req, res, 200, table);
      }
      if (shape === 'metadata') {
        return sendJson(req, res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: result.items.map((s) => partialMetadata(s.obj)) });
      }
      // Stitch the stored JSON texts together rather than re-serializing every object.
      const head = JSON.stringify({ kind: type.listKind, apiVersion: apiVersionOf(type), metadata }).slice(0, -1);
      const items = result.items.map((s) => service.present(type, s).json).join(',');
      return sendJson(req, res, 200, undefined, `${head},"items":[${items}]}`);
    }
    case 'watch': {
      const timeoutSeconds = queryInt(q, 'timeoutSeconds');
      await store.readCommitted(() => serveWatch(req, res, store, type, info.namespace, {
        shape,
        includeObject,
        ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
        ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector')! } : {}),
        ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector')! } : {}),
        ...(info.name !== undefined ? { name: info.name } : {}),
        allowWatchBookmarks: isTrue(q.get('allowWatchBookmarks')),
        sendInitialEvents: isTrue(q.get('sendInitialEvents')),
        ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      }, deps.watch));
      return;
    }
    case 'create': {
      const body = await readTypedBody(req, ['application/json', 'application/yaml', '']);
      validateFieldManager(q.get('fieldManager') ?? undefined, 'create');
      scope.fieldManager = fieldManagerFor(q.get('fieldManager') ?? undefined, req.headers['user-agent']);
      const result = await service.create(scope, body, info.subresource, info.name);
      return sendObject(req, res, result.code, type, result.object, shape, includeObject, result.json);
    }
    case 'update': {
      const body = await readTypedBody(req, ['application/json', 'application/yaml', '']);
      validateFieldManager(q.get('fieldManager') ?? undefined, 'update');
      scope.fieldManager = fieldManagerFor(q.get('fieldManager') ?? undefined, req.headers['user-agent']);
      const result = await service.update(scope, info.name!, body, info.subresource);
      return sendObject(req, res, result.code, type, result.object, shape, includeObject, result.json);
    }
    case 'patch': {
      const contentType = mediaType(req.headers['content-type']);
      const patchType = PATCH_TYPES[contentType];
      if (!patchType) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`);
      }
      const body = decodeBody(await readBody(req), contentType);
      const force = isTrue(q.get('force'));
      const manager = q.get('fieldManager') ?? undefined;
      validateFieldManager(manager, patchType === 'apply' ? 'apply' : 'patch', q.has('force'));
      scope.fieldManager = patchType === 'apply' ? manager! : fieldManagerFor(manager, req.headers['user-agent']);
      const result = await service.patch(scope, info.name!, patchType, body, info.subresource, force);
      return sendObject(req, res, result.code, type, result.object, shape, includeObject, result.json);
    }
    case 'delete':
    case 'deletecollection': {
      const options = await readDeleteOptions(req, q);
      if (info.verb === 'delete') {
        const result = await service.delete(scope, info.name!, options);
        return sendObject(req, res, result.code, type, result.object, shape, includeObject, result.json);
      }
      const opts: ListOptions = {};
      for (const k of ['labelSelector', 'fieldSelector'] as const) {
        const v = q.get(k);
        if (v) opts[k] = v;
      }
      const { items } = await store.readCommitted(() => listObjects(store, type, info.namespace, opts));
      const deleted: KubeObject[] = [];
      for (const s of items) {
        try {
          deleted.push((await service.delete({ ...scope, namespace: s.obj.metadata.namespace }, s.obj.metadata.name!, options)).object);
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      return sendJson(req, res, 200, { kind: type.listKind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(store.resourceVersion) }, items: deleted });
    }
  }
}

function sendObject(req: IncomingMessage, res: ServerResponse, code: number, type: ResourceType, obj: KubeObject, shape: ReturnType<typeof negotiateShape>, includeObject: 'None' | 'Metadata' | 'Object', json?: string): void {
  if (shape === 'table' && obj.kind === type.kind) return sendJson(req, res, code, toTable(type, [obj], { includeObject, now: new Date() }));
  if (shape === 'metadata') return sendJson(req, res, code, partialMetadata(obj));
  sendJson(req, res, code, obj, json);
}

async function readTypedBody(req: IncomingMessage, allowed: string[]): Promise<unknown> {
  const contentType = mediaType(req.headers['content-type']);
  if (!allowed.includes(contentType) && contentType !== 'text/yaml' && contentType !== 'application/vnd.kubernetes.protobuf') {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  return decodeBody(await readBody(req), contentType);
}

async function readDeleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const raw = await readBody(req);
  let body: Record<string, unknown> = {};
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const decoded = decodeBody(raw, req.headers['content-type'] ?? 'application/json');
    if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded)) throw badRequest('the request body of a DELETE must be a DeleteOptions object');
    body = decoded as Record<string, unknown>;
  }
  const options: DeleteOptions = {};
  const grace = body.gracePeriodSeconds ?? queryInt(q, 'gracePeriodSeconds');
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest('gracePeriodSeconds must be an integer');
    options.gracePeriodSeconds = grace;
  }
  const policy = (body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined) as string | undefined;
  if (policy !== undefined && policy !== null) {
    if (!['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    options.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  }
  const orphan = body.orphanDependents ?? (q.get('orphanDependents') !== null ? isTrue(q.get('orphanDependents')) : undefined);
  if (typeof orphan === 'boolean') {
    if (options.propagationPolicy) throw badRequest('orphanDependents and propagationPolicy may not both be set');
    options.orphanDependents = orphan;
  }
  if (body.preconditions && typeof body.preconditions === 'object') options.preconditions = body.preconditions as DeleteOptions['preconditions'] & object;
  return options;
}

/** SelfSubjectAccessReview (`kubectl auth can-i`) and SelfSubjectReview (`kubectl auth whoami`). */
async function serveReview(deps: ApiHandlerDeps, req: IncomingMessage, res: ServerResponse, info: ResourceRequest, type: ResourceType, user: Identity): Promise<void> {
  if (info.verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const body = (await readTypedBody(req, ['application/json', 'application/yaml', ''])) as KubeObject;
  if (type.plural === 'selfsubjectreviews') {
    return sendJson(req, res, 201, { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { creationTimestamp: null }, status: { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups } } });
  }
  if (type.plural === 'selfsubjectrulesreviews') {
    const namespace = (body?.spec as { namespace?: string } | undefined)?.namespace ?? 'default';
    const rules = deps.authorizer.rulesFor(user, namespace);
    const superuser = user.groups.includes('system:masters');
    const resourceRules = superuser ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] : rules.filter((r) => r.resources?.length).map(({ nonResourceURLs: _n, ...r }) => r);
    const nonResourceRules = superuser ? [{ verbs: ['*'], nonResourceURLs: ['*'] }] : rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs ?? [] }));
    return sendJson(req, res, 201, { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { creationTimestamp: null }, spec: { namespace }, status: { resourceRules, nonResourceRules, incomplete: false } });
  }
  if (type.plural !== 'selfsubjectaccessreviews') {
    throw new ApiError(405, 'MethodNotAllowed', `${type.plural} are not served by this API server`);
  }
  const spec = (body?.spec ?? {}) as { resourceAttributes?: Record<string, string>; nonResourceAttributes?: { path?: string; verb?: string } };
  let allowed: boolean;
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    allowed = deps.authorizer.authorizeResource(user, { verb: r.verb ?? '', group: r.group ?? '', resource: r.resource ?? '', ...(r.subresource ? { subresource: r.subresource } : {}), ...(r.namespace ? { namespace: r.namespace } : {}), ...(r.name ? { name: r.name } : {}) });
  } else if (spec.nonResourceAttributes) {
    allowed = deps.authorizer.authorizeNonResource(user, { verb: spec.nonResourceAttributes.verb ?? '', path: spec.nonResourceAttributes.path ?? '' });
  } else {
    throw badRequest('spec.resourceAttributes or spec.nonResourceAttributes is required');
  }
  sendJson(req, res, 201, { ...body, apiVersion: apiVersionOf(type), kind: type.kind, metadata: { creationTimestamp: null }, status: { allowed, ...(allowed ? { reason: 'allowed by RBAC' } : {}) } });
}
