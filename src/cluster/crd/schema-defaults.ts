/**
 * Structural-schema defaulting, as the apiserver applies it to custom resources: a property with a
 * `default` that is absent (or null while not nullable) gets a copy of the default; then defaulting
 * descends into every present value — so the nested defaults of a freshly defaulted object apply
 * too — through `properties`, `additionalProperties` and array `items` (null map values and list
 * items that are not nullable also take their schema's default).
 */
import type { StructuralSchema } from '../objects.js';
import { additionalSchema, asSchema, deepCopy, hasOwn, isObject } from './util.js';

/** Returns a copy of `value` with the schema's defaults applied; `value` itself is not modified. */
export function applySchemaDefaults<T>(value: T, schema: StructuralSchema): T {
  const copy = deepCopy(value);
  defaultInPlace(copy, schema);
  return copy;
}

/** `default: null` is no default at all (the apiserver's `Default.Object == nil`). */
export function hasDefault(s: StructuralSchema): boolean {
  return s.default !== undefined && s.default !== null;
}

function isNonNullableNull(x: unknown, s: StructuralSchema | undefined): s is StructuralSchema {
  return (x === null || x === undefined) && s !== undefined && s.nullable !== true;
}

/** Applies defaults to `x` in place (used on a private copy). */
export function defaultInPlace(x: unknown, s: StructuralSchema | undefined): void {
  if (!s) return;
  if (isObject(x)) {
    const props = isObject(s.properties) ? s.properties : undefined;
    if (props) {
      for (const [k, raw] of Object.entries(props)) {
        const prop = asSchema(raw);
        if (!prop || !hasDefault(prop)) continue;
        if (!hasOwn(x, k) || isNonNullableNull(x[k], prop)) x[k] = deepCopy(prop.default);
      }
    }
    const extra = additionalSchema(s);
    for (const k of Object.keys(x)) {
      const prop = props && hasOwn(props, k) ? asSchema(props[k]) : undefined;
      if (prop) {
        defaultInPlace(x[k], prop);
      } else if (extra) {
        if (isNonNullableNull(x[k], extra) && hasDefault(extra)) x[k] = deepCopy(extra.default);
        defaultInPlace(x[k], extra);
      }
    }
  } else if (Array.isArray(x)) {
    const items = asSchema(s.items);
    if (!items) return;
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && hasDefault(items)) x[i] = deepCopy(items.default);
      defaultInPlace(x[i], items);
    }
  }
}
