/**
 * Typed API errors. Every layer of the embedded API server throws these; one place
 * (`api/status.ts`) turns them into Kubernetes `Status` responses.
 */
import type { FieldCause } from './objects.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: FieldCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** `kind` is the resource name as Kubernetes prints it in messages, e.g. `deployments.apps`. */
export function notFound(qualifiedResource: string, name: string, group = '', kind = qualifiedResource.split('.')[0]): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource} "${name}" not found`, { name, group, kind });
}

export function alreadyExists(qualifiedResource: string, name: string, group = '', kind = qualifiedResource.split('.')[0]): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource} "${name}" already exists`, { name, group, kind });
}

export function conflict(qualifiedResource: string, name: string, why: string, group = ''): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource} "${name}": ${why}`,
    { name, group, kind: qualifiedResource.split('.')[0] },
  );
}

/** 422 Invalid, naming every bad field. `kind` is the Kind (e.g. `Deployment`), as Kubernetes does. */
export function invalid(kind: string, name: string, causes: FieldCause[], group = ''): ApiError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes,
  });
}

export function badRequest(message: string, causes?: FieldCause[]): ApiError {
  return new ApiError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

/** Builders for the causes of a 422, with Kubernetes' reason names and message wording. */
export const fieldError = {
  required: (field: string, detail = ''): FieldCause => ({
    reason: 'FieldValueRequired',
    message: `Required value${detail ? `: ${detail}` : ''}`,
    field,
  }),
  invalid: (field: string, value: unknown, detail: string): FieldCause => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${formatValue(value)}: ${detail}`,
    field,
  }),
  notSupported: (field: string, value: unknown, allowed: readonly unknown[]): FieldCause => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${formatValue(value)}: supported values: ${allowed.map(formatValue).join(', ')}`,
    field,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldCause => ({
    reason: 'FieldValueTypeInvalid',
    message: `Invalid value: ${formatValue(value)}: ${detail}`,
    field,
  }),
  forbidden: (field: string, detail: string): FieldCause => ({
    reason: 'FieldValueForbidden',
    message: `Forbidden: ${detail}`,
    field,
  }),
  duplicate: (field: string, value: unknown): FieldCause => ({
    reason: 'FieldValueDuplicate',
    message: `Duplicate value: ${formatValue(value)}`,
    field,
  }),
  tooLong: (field: string, value: unknown, max: number): FieldCause => ({
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${max} bytes`,
    field,
  }),
  unknownField: (field: string): FieldCause => ({ reason: 'FieldValueInvalid', message: `unknown field "${field}"`, field }),
};

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'null';
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? `[]${typeof v[0]}` : 'object';
  return String(v);
}
