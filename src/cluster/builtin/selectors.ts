/**
 * metav1.LabelSelector validation (apimachinery `meta/v1/validation.ValidateLabelSelector`) and the
 * semantics of `metav1.LabelSelectorAsSelector`: a nil selector selects nothing, an empty one selects
 * everything, and matchLabels/matchExpressions are ANDed.
 */
import { fieldError } from '../errors.js';
import type { FieldCause } from '../objects.js';
import { isQualifiedName, isValidLabelValue, validateLabelName, validateLabels } from './names.js';
import { child, getArray, getString, index, isMap } from './util.js';

interface Requirement {
  key: string;
  op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export type Selector =
  | { kind: 'nothing' }
  | { kind: 'everything' }
  | { kind: 'requirements'; requirements: Requirement[] }
  | { kind: 'error'; message: string };

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function requirementError(key: string, op: string, values: string[]): string | undefined {
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) return `key: Invalid value: "${key}": ${keyErrs.join('; ')}`;
  if ((op === 'In' || op === 'NotIn') && values.length === 0) return "for 'in', 'notin' operators, values set can't be empty";
  if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) return "values set must be empty for exists and does not exist";
  for (const v of values) {
    const errs = isValidLabelValue(v);
    if (errs.length > 0) return `values[0][${key}]: Invalid value: "${v}": ${errs.join('; ')}`;
  }
  return undefined;
}

/** `metav1.LabelSelectorAsSelector`. */
export function labelSelectorAsSelector(sel: unknown): Selector {
  if (!isMap(sel)) return { kind: 'nothing' };
  const matchLabels = isMap(sel.matchLabels) ? sel.matchLabels : {};
  const exprs = getArray(sel, 'matchExpressions') ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return { kind: 'everything' };
  const requirements: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    const value = typeof v === 'string' ? v : String(v);
    const err = requirementError(k, 'In', [value]);
    if (err) return { kind: 'error', message: err };
    requirements.push({ key: k, op: 'In', values: [value] });
  }
  for (const e of exprs) {
    const op = getString(e, 'operator');
    if (!OPERATORS.has(op)) return { kind: 'error', message: `"${op}" is not a valid label selector operator` };
    const values = (getArray(e, 'values') ?? []).map(String);
    const key = getString(e, 'key');
    const err = requirementError(key, op, values);
    if (err) return { kind: 'error', message: err };
    requirements.push({ key, op: op as Requirement['op'], values });
  }
  return { kind: 'requirements', requirements };
}

/** `labels.Selector.Empty()`: true for the select-everything selector. */
export function selectorEmpty(s: Selector): boolean {
  return s.kind === 'everything' || (s.kind === 'requirements' && s.requirements.length === 0);
}

export function selectorMatches(s: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  switch (s.kind) {
    case 'everything':
      return true;
    case 'requirements':
      return s.requirements.every((r) => {
        const has = Object.prototype.hasOwnProperty.call(l, r.key);
        switch (r.op) {
          case 'In':
            return has && r.values.includes(l[r.key]);
          case 'NotIn':
            return !has || !r.values.includes(l[r.key]);
          case 'Exists':
            return has;
          default:
            return !has;
        }
      });
    default:
      return false;
  }
}

/** A plain `map[string]string` selector (ReplicationController, Service): every pair must match. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

export function validateLabelSelector(sel: unknown, path: string, allowInvalidLabelValue = false): FieldCause[] {
  if (!isMap(sel)) return [];
  const out: FieldCause[] = [...validateLabels(sel.matchLabels, child(path, 'matchLabels'))];
  (getArray(sel, 'matchExpressions') ?? []).forEach((e, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const op = getString(e, 'operator');
    const values = getArray(e, 'values') ?? [];
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) out.push(fieldError.required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) out.push(fieldError.forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push(fieldError.invalid(child(p, 'operator'), op, 'not a valid selector operator'));
    }
    out.push(...validateLabelName(getString(e, 'key'), child(p, 'key')));
    if (!allowInvalidLabelValue) {
      values.forEach((v, j) => {
        const s = typeof v === 'string' ? v : String(v);
        for (const m of isValidLabelValue(s)) out.push(fieldError.invalid(index(child(p, 'values'), j), s, m));
      });
    }
  });
  return out;
}
