/**
 * Which field manager a write is recorded under, and the checks Kubernetes makes on the
 * `fieldManager` query parameter (k8s.io/apimachinery ValidateFieldManager and the
 * Create/Update/PatchOptions validation around it).
 */
import type { FieldCause } from '../objects.js';
import { fieldError, invalid } from '../errors.js';

/** The longest fieldManager Kubernetes accepts, in bytes. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrintable(ch: string): boolean {
  return PRINTABLE.test(ch);
}

/**
 * The manager a non-apply write is recorded under: the `fieldManager` query parameter when given,
 * otherwise the User-Agent up to its first `/` (`kubectl/v1.32.0 (linux/amd64) ...` → `kubectl`),
 * with unprintable characters dropped and cut to 128 bytes, as the API server does.
 */
export function fieldManagerFor(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager !== undefined && fieldManager !== '') return fieldManager;
  const prefix = (userAgent ?? '').split('/', 1)[0];
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!isPrintable(ch)) continue;
    const len = Buffer.byteLength(ch);
    if (bytes + len > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += len;
  }
  return out;
}

/** The request kinds whose options carry a fieldManager. */
export type FieldManagerVerb = 'create' | 'update' | 'patch' | 'apply';

const OPTIONS_KIND: Readonly<Record<FieldManagerVerb, string>> = {
  create: 'CreateOptions',
  update: 'UpdateOptions',
  patch: 'PatchOptions',
  apply: 'PatchOptions',
};

/** The problems Kubernetes finds with a fieldManager value (length and printable characters). */
export function fieldManagerCauses(fieldManager: string, field = 'fieldManager'): FieldCause[] {
  const causes: FieldCause[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
    causes.push(fieldError.tooLong(field, fieldManager, FIELD_MANAGER_MAX_LENGTH));
  }
  let position = 0; // Go reports byte offsets
  for (const ch of fieldManager) {
    if (!isPrintable(ch)) {
      const code = (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      causes.push(fieldError.invalid(field, fieldManager, `invalid character U+${code} (at position ${position})`));
    }
    position += Buffer.byteLength(ch);
  }
  return causes;
}

/**
 * Validates the fieldManager (and, for patches, force) query parameters of a request, throwing
 * what Kubernetes returns: 422 Invalid for kind `PatchOptions` (or Create/UpdateOptions) in group
 * `meta.k8s.io`, e.g. `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is
 * required for apply patch`. `forceGiven` is whether the `force` parameter was present at all.
 */
export function validateFieldManager(fieldManager: string | undefined, verb: FieldManagerVerb, forceGiven = false): void {
  const causes: FieldCause[] = [];
  if (verb === 'patch' && forceGiven) causes.push(fieldError.forbidden('force', 'may not be specified for non-apply patch'));
  if (verb === 'apply' && (fieldManager === undefined || fieldManager === '')) {
    causes.push(fieldError.required('fieldManager', 'is required for apply patch'));
  }
  causes.push(...fieldManagerCauses(fieldManager ?? ''));
  if (causes.length > 0) throw invalid(OPTIONS_KIND[verb], '', causes, 'meta.k8s.io');
}
