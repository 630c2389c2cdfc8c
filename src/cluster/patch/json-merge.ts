/**
 * JSON Merge Patch (RFC 7386), the `application/merge-patch+json` PATCH content type.
 */
import type { JsonObject, JsonValue } from '../objects.js';
import { cloneJson, isJsonObject, ownValue, setKey } from './json.js';

/**
 * Applies an RFC 7386 merge patch: objects merge key by key, `null` removes a key, and anything
 * else (arrays included) replaces the target value whole. A patch that is not an object replaces
 * the target entirely. Neither input is mutated and the result shares no structure with them.
 */
export function applyMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  return mergeInto(isJsonObject(target) ? cloneJson(target) : {}, patch);
}

/** `out` is always a private copy, so it is safe to fill in place. */
function mergeInto(out: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
      continue;
    }
    if (isJsonObject(value)) {
      const current = ownValue(out, key);
      // RFC 7386 recurses into a fresh object when the target is not one, which also drops the
      // nulls nested in the patch value.
      setKey(out, key, mergeInto(isJsonObject(current) ? current : {}, value));
    } else {
      setKey(out, key, cloneJson(value));
    }
  }
  return out;
}
