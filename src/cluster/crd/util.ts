/**
 * Small helpers shared by the CRD modules: JSON value inspection, deep copy/equality, the field-path
 * notation Kubernetes prints (`spec.containers[0].image`, `spec.labels[app]`) and the DNS name checks
 * with apimachinery's message wording.
 */
import type { StructuralSchema } from '../objects.js';

export type JsonMap = Record<string, unknown>;

export function isObject(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown): JsonMap | undefined {
  return isObject(v) ? v : undefined;
}

export function asArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A sub-schema when `v` is an object, for reading `properties`, `items` and friends defensively. */
export function asSchema(v: unknown): StructuralSchema | undefined {
  return isObject(v) ? (v as StructuralSchema) : undefined;
}

/** `additionalProperties` when it is a schema (not a boolean). */
export function additionalSchema(s: StructuralSchema): StructuralSchema | undefined {
  return asSchema(s.additionalProperties);
}

export function hasOwn(o: JsonMap, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Deep copy of a JSON-like value (plain objects, arrays, scalars). */
export function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => deepCopy(x)) as T;
  if (isObject(v)) {
    const out: JsonMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return out as T;
  }
  return v;
}

/** Structural equality of JSON-like values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Field paths, printed the way k8s.io/apimachinery's field.Path prints them.

export function childPath(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name;
}

export function indexPath(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

/** A named entry of a schema map, e.g. `openAPIV3Schema.properties[spec]` (how apiextensions prints schema paths). */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

/**
 * A key of a map value (a field under `additionalProperties`), as field.Path.Key prints it:
 * `spec.labels[app]`. (kube-openapi's schema messages and the apiserver's pruned-field list print
 * map keys with a dot instead, `spec.labels.app`; this one function decides it for this module.)
 */
export function mapKeyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

// ---------------------------------------------------------------------------------------------
// DNS names (k8s.io/apimachinery/pkg/util/validation), same messages.

const DNS1035_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_RE = new RegExp(`^${DNS1035_FMT}$`);
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += ' or ';
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

/** IsDNS1035Label: lowercase RFC 1035 label, at most 63 characters. Returns the problems found. */
export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035_RE.test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

/** IsDNS1123Subdomain: lowercase RFC 1123 subdomain, at most 253 characters. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errs;
}

/** IsDNS1123Label: lowercase RFC 1123 label, at most 63 characters. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL_RE.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL_FMT,
        'my-name',
        '123-abc',
      ),
    );
  }
  return errs;
}
