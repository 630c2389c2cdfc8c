/**
 * Reading request bodies and writing responses with Kubernetes' rules: a 3 MiB body limit,
 * JSON or YAML bodies with errors that say where parsing broke, Status objects for every error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDocument, stringify as toYaml } from 'yaml';
import { ApiError, type StatusDetails } from '../errors.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from '../protobuf/index.js';

/** kube-apiserver refuses request bodies over 3 MiB (etcd's object limit is 1.5 MiB; 3 MiB is the HTTP cap). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw tooLarge();
  }
  // Plain events rather than an async iterator: this runs on every write.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function tooLarge(): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `the request is too large: limit is ${MAX_BODY_BYTES} bytes`);
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** Decodes a JSON or YAML request body into a value, naming the line and column where parsing broke. */
export function decodeBody(body: Buffer, contentType: string): unknown {
  const type = mediaType(contentType);
  // kubectl's typed clients send built-in kinds as Kubernetes protobuf.
  if (isKubernetesProtobuf(type)) return decodeKubernetesProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw new ApiError(400, 'BadRequest', 'the request body is empty; an object was expected');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    return decodeYaml(text);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `error decoding JSON body: ${jsonErrorWhere(text, err)}`);
  }
}

function decodeYaml(text: string): unknown {
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : `offset ${e.pos[0]}`;
    throw new ApiError(400, 'BadRequest', `error decoding YAML body at ${where}: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/** Turns V8's "Unexpected token ... in JSON at position N" into a line and column. */
function jsonErrorWhere(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${col}`;
}

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export function statusFor(err: unknown): StatusObject {
  if (err instanceof ApiError) {
    const s: StatusObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: err.reason, code: err.code };
    if (err.details) s.details = err.details;
    return s;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500 };
}

export function successStatus(details?: StatusDetails): StatusObject {
  const s: StatusObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}

/** Writes a JSON (or, when the client only accepts it, YAML) response. `json` may be pre-serialized text. */
export function sendJson(req: IncomingMessage, res: ServerResponse, code: number, body: unknown, preSerialized?: string, contentType = 'application/json'): void {
  const accept = req.headers.accept ?? '';
  let text: string;
  let type = contentType;
  if (wantsOnlyYaml(accept)) {
    text = toYaml(preSerialized !== undefined ? JSON.parse(preSerialized) : body);
    type = 'application/yaml';
  } else {
    text = preSerialized ?? JSON.stringify(body);
  }
  const warnings = (res as ServerResponse & { warnings?: string[] }).warnings;
  if (warnings && warnings.length > 0) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

export function sendStatus(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const status = statusFor(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status.code === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="argosy"');
  sendJson(req, res, status.code, status);
}

function wantsOnlyYaml(accept: string): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => mediaType(t));
  return types.includes('application/yaml') && !types.some((t) => t === 'application/json' || t === '*/*' || t === 'application/*');
}

/** Adds a `Warning:` header line (shown by kubectl) to the eventual response. */
export function addWarning(res: ServerResponse, message: string): void {
  const r = res as ServerResponse & { warnings?: string[] };
  (r.warnings ??= []).push(message);
}
