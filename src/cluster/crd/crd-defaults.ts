/**
 * The defaults the apiserver applies to an apiextensions.k8s.io/v1 CustomResourceDefinition before
 * validating and storing it: `names.singular` (the lowercased kind), `names.listKind` (`<Kind>List`),
 * `conversion` (`strategy: None`) and a webhook service's port (443).
 */
import type { KubeObject } from '../objects.js';
import { asObject, asString, isObject } from './util.js';

/** Returns the CRD with its defaults; only the objects on changed paths are copied (schemas are shared). */
export function applyCrdDefaults(crd: KubeObject): KubeObject {
  const spec = asObject(crd.spec);
  if (!spec) return crd;
  const nextSpec = { ...spec };
  const names = asObject(spec.names);
  if (names) {
    const kind = asString(names.kind) ?? '';
    const nextNames = { ...names };
    if (!asString(names.singular)) nextNames.singular = kind.toLowerCase();
    if (!asString(names.listKind) && kind) nextNames.listKind = `${kind}List`;
    nextSpec.names = nextNames;
  }
  if (spec.conversion === undefined || spec.conversion === null) {
    nextSpec.conversion = { strategy: 'None' };
  } else {
    const conversion = asObject(spec.conversion);
    const webhook = asObject(conversion?.webhook);
    const clientConfig = asObject(webhook?.clientConfig);
    const service = asObject(clientConfig?.service);
    if (conversion && service && (service.port === undefined || service.port === null)) {
      nextSpec.conversion = { ...conversion, webhook: { ...webhook, clientConfig: { ...clientConfig, service: { ...service, port: 443 } } } };
    }
  }
  return { ...crd, spec: nextSpec };
}

/** The version with `storage: true` (the first one, if several claim it). */
export function storageVersionName(crd: KubeObject): string | undefined {
  const versions = asObject(crd.spec)?.versions;
  if (!Array.isArray(versions)) return undefined;
  const v = versions.find((x) => isObject(x) && x.storage === true);
  return isObject(v) ? asString(v.name) : undefined;
}
