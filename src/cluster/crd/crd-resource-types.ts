/**
 * What a CustomResourceDefinition means to the API server: one served ResourceType per served
 * version, and the status the apiserver's CRD controllers write (accepted names, stored versions,
 * NamesAccepted and Established conditions).
 */
import type { KubeObject, PrinterColumn, ResourceType, ScaleSubresource, StructuralSchema } from '../objects.js';
import { applyCrdDefaults, storageVersionName } from './crd-defaults.js';
import { asArray, asObject, asSchema, asString, isObject, type JsonMap } from './util.js';

/** Every custom resource supports the full set of verbs. */
export const CRD_VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The column a version without `additionalPrinterColumns` is printed with (after Name), as the apiserver does. */
export const DEFAULT_CRD_PRINTER_COLUMNS: readonly PrinterColumn[] = [
  {
    name: 'Age',
    type: 'date',
    description:
      'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    jsonPath: '.metadata.creationTimestamp',
  },
];

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function strings(v: unknown): string[] {
  return (asArray(v) ?? []).filter((x): x is string => typeof x === 'string');
}

/**
 * Kubernetes' version priority (GA > beta > alpha > other; higher numbers first; others by name),
 * so the first element is the preferred version.
 */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (!pa && !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (!pa) return 1;
  if (!pb) return -1;
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}

function scaleOf(v: JsonMap): ScaleSubresource | undefined {
  const scale = asObject(asObject(v.subresources)?.scale);
  if (!scale) return undefined;
  const out: ScaleSubresource = { specReplicasPath: str(scale.specReplicasPath), statusReplicasPath: str(scale.statusReplicasPath) };
  const selector = asString(scale.labelSelectorPath);
  if (selector) out.labelSelectorPath = selector;
  return out;
}

function printerColumnsOf(v: JsonMap): PrinterColumn[] {
  const cols = asArray(v.additionalPrinterColumns) ?? [];
  if (cols.length === 0) return DEFAULT_CRD_PRINTER_COLUMNS.map((c) => ({ ...c }));
  return cols.filter(isObject).map((c) => {
    const col: PrinterColumn = { name: str(c.name), type: str(c.type), jsonPath: str(c.jsonPath) };
    if (typeof c.format === 'string' && c.format) col.format = c.format;
    if (typeof c.description === 'string' && c.description) col.description = c.description;
    if (typeof c.priority === 'number') col.priority = c.priority;
    return col;
  });
}

/**
 * One ResourceType per served version, preferred version first. Throws when the CRD lacks what
 * serving needs (group, kind, plural, a storage version) — a validated CRD always has them.
 */
export function resourceTypesFromCrd(crd: KubeObject): ResourceType[] {
  const c = applyCrdDefaults(crd);
  const spec = asObject(c.spec) ?? {};
  const names = asObject(spec.names) ?? {};
  const group = str(spec.group);
  const kind = str(names.kind);
  const plural = str(names.plural);
  const storageVersion = storageVersionName(c);
  if (!group || !kind || !plural || !storageVersion) {
    throw new Error(`CustomResourceDefinition ${str(crd.metadata?.name)} cannot be served: group, names.kind, names.plural and a storage version are required`);
  }
  const base = {
    group,
    kind,
    listKind: str(names.listKind) || `${kind}List`,
    plural,
    singular: str(names.singular) || kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    shortNames: strings(names.shortNames),
    categories: strings(names.categories),
    storageVersion,
    custom: true,
  };
  const served = (asArray(spec.versions) ?? []).filter(isObject).filter((v) => v.served === true && str(v.name));
  served.sort((a, b) => compareKubeVersions(str(a.name), str(b.name)));
  return served.map((v): ResourceType => {
    const subresources: ResourceType['subresources'] = {};
    if (isObject(asObject(v.subresources)?.status)) subresources.status = true;
    const scale = scaleOf(v);
    if (scale) subresources.scale = scale;
    const type: ResourceType = { ...base, version: str(v.name), verbs: [...CRD_VERBS], subresources, printerColumns: printerColumnsOf(v) };
    const schema: StructuralSchema | undefined = asSchema(asObject(v.schema)?.openAPIV3Schema);
    if (schema) type.schema = schema;
    return type;
  });
}

// ---------------------------------------------------------------------------------------------
// Status

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface CrdNames {
  plural: string;
  singular: string;
  shortNames?: string[];
  kind: string;
  listKind: string;
  categories?: string[];
}

export interface CrdStatus {
  conditions: CrdCondition[];
  acceptedNames: CrdNames;
  storedVersions: string[];
  [key: string]: unknown;
}

/** spec.names with the apiserver's defaults, as it reports them in `status.acceptedNames`. */
export function acceptedNames(crd: KubeObject): CrdNames {
  const names = asObject(asObject(applyCrdDefaults(crd).spec)?.names) ?? {};
  const shortNames = strings(names.shortNames);
  const categories = strings(names.categories);
  // Key order as the apiserver serializes CustomResourceDefinitionNames.
  return {
    plural: str(names.plural),
    singular: str(names.singular),
    ...(shortNames.length > 0 ? { shortNames } : {}),
    kind: str(names.kind),
    listKind: str(names.listKind),
    ...(categories.length > 0 ? { categories } : {}),
  };
}

/**
 * The status the apiserver writes for an accepted CRD: acceptedNames, storedVersions (the existing
 * ones plus the current storage version) and the NamesAccepted/Established conditions. A condition
 * whose status does not change keeps its lastTransitionTime, so calling this on its own result
 * returns an equal status; other conditions are kept as they are.
 */
export function crdStatus(crd: KubeObject, now: string): CrdStatus {
  const existing = asObject(crd.status) ?? {};
  const wanted: Omit<CrdCondition, 'lastTransitionTime'>[] = [
    { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
  ];
  const conditions: CrdCondition[] = (asArray(existing.conditions) ?? []).filter(isObject).map((c) => c as unknown as CrdCondition);
  for (const w of wanted) {
    const i = conditions.findIndex((c) => c.type === w.type);
    const previous = i >= 0 ? conditions[i] : undefined;
    const lastTransitionTime = previous && previous.status === w.status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
    const next: CrdCondition = { type: w.type, status: w.status, lastTransitionTime, reason: w.reason, message: w.message };
    if (i >= 0) conditions[i] = next;
    else conditions.push(next);
  }
  const storedVersions = strings(existing.storedVersions);
  const storage = storageVersionName(crd);
  if (storage && !storedVersions.includes(storage)) storedVersions.push(storage);
  return { ...existing, conditions, acceptedNames: acceptedNames(crd), storedVersions };
}
