/**
 * Serves `/openapi/v2` (protobuf or JSON) and `/openapi/v3[/...]`, regenerating the documents only
 * when the set of served types changes, with ETags so clients can revalidate cheaply.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptsOpenApiV2Protobuf, etagOf, OPENAPI_V2_PROTOBUF_CONTENT_TYPE, openapiV2Document, openapiV2Protobuf } from '../openapi/v2.js';
import { openapiV3GroupVersion, openapiV3Root } from '../openapi/v3.js';
import type { ResourceRegistry } from './resource-registry.js';


interface Rendered {
  body: Buffer;
  etag: string;
  contentType: string;
}

export class OpenApiCache {
  private cacheVersion = -1;
  private readonly cache = new Map<string, Rendered>();

  constructor(private readonly registry: ResourceRegistry) {}

  /** Returns false when the path is not an OpenAPI document this server has. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const accept = req.headers.accept ?? '';
    const rendered = this.render(path, acceptsOpenApiV2Protobuf(accept) && path === '/openapi/v2');
    if (!rendered) return false;
    const headers = { 'Content-Type': rendered.contentType, ETag: `"${rendered.etag}"`, 'Cache-Control': 'no-cache, private', Vary: 'Accept' };
    if (req.headers['if-none-match'] === `"${rendered.etag}"`) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'Content-Length': rendered.body.length });
    res.end(req.method === 'HEAD' ? undefined : rendered.body);
    return true;
  }

  private render(path: string, protobuf: boolean): Rendered | undefined {
    if (this.cacheVersion !== this.registry.version) {
      this.cache.clear();
      this.cacheVersion = this.registry.version;
    }
    const key = `${path}|${protobuf}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const types = this.registry.all();
    let rendered: Rendered | undefined;
    if (path === '/openapi/v2') {
      const doc = openapiV2Document(types);
      const body = protobuf ? Buffer.from(openapiV2Protobuf(doc)) : Buffer.from(JSON.stringify(doc));
      rendered = { body, etag: etagOf(body), contentType: protobuf ? OPENAPI_V2_PROTOBUF_CONTENT_TYPE : 'application/json' };
    } else if (path === '/openapi/v3') {
      const body = Buffer.from(JSON.stringify(openapiV3Root(types)));
      rendered = { body, etag: etagOf(body), contentType: 'application/json' };
    } else {
      const m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
      if (!m) return undefined;
      const group = m[1] ? '' : m[2];
      const version = m[1] ?? m[3];
      const inGV = types.filter((t) => t.group === group && t.version === version);
      if (inGV.length === 0) return undefined;
      const body = Buffer.from(JSON.stringify(openapiV3GroupVersion(group, version, types)));
      rendered = { body, etag: etagOf(body), contentType: 'application/json' };
    }
    this.cache.set(key, rendered);
    return rendered;
  }
}
