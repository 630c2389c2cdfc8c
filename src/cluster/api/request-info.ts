/**
 * Parses a request path the way kube-apiserver's RequestInfoFactory does: which API, group,
 * version, namespace, resource, name and subresource it names, and which verb it means.
 */
import { ApiError } from '../errors.js';

export interface ResourceRequest {
  kind: 'resource';
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Remaining path after a subresource (e.g. the proxied path of `pods/x/proxy/...`). */
  subpath?: string;
}

export interface NonResourceRequest {
  kind: 'nonresource';
  verb: string;
  path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

const verbsByMethod: Record<string, ResourceRequest['verb'] | undefined> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
  GET: 'get',
  HEAD: 'get',
};

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const nonResource: NonResourceRequest = { kind: 'nonresource', verb: method.toLowerCase(), path: pathname };
  let parts: string[];
  try {
    parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    throw new ApiError(400, 'BadRequest', `the request path is not valid percent-encoding: ${pathname.slice(0, 200)}`);
  }
  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api') {
    if (parts.length < 3) return nonResource; // /api, /api/v1 are discovery
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return nonResource;
  }

  let verb = verbsByMethod[method];
  if (!verb) return nonResource;
  // Legacy `/watch/` path prefix.
  let isWatch = false;
  if (rest[0] === 'watch') {
    isWatch = true;
    rest = rest.slice(1);
  }

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    // /namespaces/{ns} is the namespace object itself; /namespaces/{ns}/{status|finalize} its subresources.
    if (rest.length === 2 || (rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
      rest = ['namespaces', rest[1], ...rest.slice(2)];
    } else {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource, ...subpath] = rest;
  if (!resource) return nonResource;

  if (!name) {
    if (verb === 'get') verb = isWatch || isTrue(query.get('watch')) ? 'watch' : 'list';
    else if (verb === 'delete') verb = 'deletecollection';
  } else if (verb === 'get' && (isWatch || isTrue(query.get('watch')))) {
    verb = 'watch';
  }
  const info: ResourceRequest = { kind: 'resource', verb, group, version, resource };
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) info.name = name;
  if (subresource !== undefined) info.subresource = subresource;
  if (subpath.length > 0) info.subpath = subpath.join('/');
  return info;
}

export function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}
