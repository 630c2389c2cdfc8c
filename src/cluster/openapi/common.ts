/**
 * What the OpenAPI v2 and v3 documents share: Kubernetes-style definition names, the
 * `apimachinery` meta definitions (ObjectMeta and friends), the per-kind schemas built from a
 * ResourceType, and a format-neutral description of every path and operation a resource serves.
 *
 * Schemas are written here in their OpenAPI v3 form (`$ref: '#/components/schemas/…'`, with
 * `allOf: [{$ref}]` where a reference carries siblings such as a description); `v2.ts` rewrites them.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue, ResourceType } from '../objects.js';

export interface Gvk {
  group: string;
  kind: string;
  version: string;
}

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const PATCH = `${META}.Patch`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

export const V3_REF_PREFIX = '#/components/schemas/';

export function ref(name: string): JsonObject {
  return { $ref: V3_REF_PREFIX + name };
}

/** A reference with siblings, the way Kubernetes publishes it in v3 (`allOf` wrapping the `$ref`). */
export function refWith(name: string, extra: JsonObject): JsonObject {
  return { ...extra, allOf: [ref(name)] };
}

export function gvkOf(t: Pick<ResourceType, 'group' | 'version' | 'kind'>, kind = t.kind): Gvk {
  return { group: t.group, kind, version: t.version };
}

// ---- naming ----

const BUILTIN_MODEL_PACKAGES: Record<string, string> = {
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/** The package part of a definition name: `io.k8s.api.apps` for built-ins, the reversed group for CRDs. */
export function modelPackage(group: string, custom: boolean): string {
  if (custom) return group.split('.').reverse().join('.');
  if (group === '') return 'io.k8s.api.core';
  return BUILTIN_MODEL_PACKAGES[group] ?? `io.k8s.api.${group.split('.')[0]}`;
}

/** `io.k8s.api.apps.v1.Deployment`, `io.argoproj.v1alpha1.Application`. */
export function definitionName(t: Pick<ResourceType, 'group' | 'version' | 'kind' | 'custom'>, kind = t.kind): string {
  return `${modelPackage(t.group, t.custom)}.${t.version}.${kind}`;
}

export function listDefinitionName(t: Pick<ResourceType, 'group' | 'version' | 'listKind' | 'custom'>): string {
  return `${modelPackage(t.group, t.custom)}.${t.version}.${t.listKind}`;
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** The group as it appears in operation ids: `Core`, `Apps`, `RbacAuthorization`, `ArgoprojIo`. */
export function groupIdentifier(group: string): string {
  if (group === '') return 'Core';
  const trimmed = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return trimmed
    .split(/[.-]/)
    .filter((p) => p !== '')
    .map(capitalize)
    .join('');
}

/** The operation tag: `core_v1`, `apps_v1`, `argoprojIo_v1alpha1`. */
export function operationTag(group: string, version: string): string {
  const id = groupIdentifier(group);
  return `${id[0].toLowerCase()}${id.slice(1)}_${version}`;
}

/** `apis/apps/v1` or `api/v1`: the key of a group-version in the `/openapi/v3` root. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

// ---- caching helpers ----

/** Uppercase hex SHA-512, the hash Kubernetes puts in `?hash=` and in ETags of OpenAPI documents. */
export function hashOf(data: Uint8Array | string): string {
  return createHash('sha512').update(data).digest('hex').toUpperCase();
}

/**
 * The entity tag of a served document: its uppercase hex SHA-512, unquoted, as kube-openapi
 * computes it. Put it in quotes in the `ETag` header and compare `If-None-Match` with the quoted form.
 */
export function etagOf(data: Uint8Array | string): string {
  return hashOf(data);
}

/** Deep copy with object keys sorted, so documents (and their hashes) depend only on content. */
export function canonical(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = canonical(v[k]);
  return out;
}

/** A JSON copy of arbitrary schema data (drops `undefined`, functions and the like). */
export function toJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v ?? null)) as JsonValue;
}

/** Types sorted by group, version, plural: the order documents list them in. */
export function sortTypes(types: readonly ResourceType[]): ResourceType[] {
  return [...types].sort(
    (a, b) => cmp(a.group, b.group) || cmp(a.version, b.version) || cmp(a.plural, b.plural) || cmp(a.kind, b.kind),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- meta definitions ----

const API_VERSION_DESC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
export const OBJECT_METADATA_DESC =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DESC =
  'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

export function apiVersionProperty(): JsonObject {
  return { description: API_VERSION_DESC, type: 'string' };
}

export function kindProperty(): JsonObject {
  return { description: KIND_DESC, type: 'string' };
}

const TIME = `${META}.Time`;
const FIELDS_V1 = `${META}.FieldsV1`;
const MANAGED_FIELDS_ENTRY = `${META}.ManagedFieldsEntry`;
const OWNER_REFERENCE = `${META}.OwnerReference`;
const STATUS_DETAILS = `${META}.StatusDetails`;
const STATUS_CAUSE = `${META}.StatusCause`;
const PRECONDITIONS = `${META}.Preconditions`;
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

const str = (description: string): JsonObject => ({ description, type: 'string' });
const int = (description: string, format: 'int32' | 'int64'): JsonObject => ({ description, type: 'integer', format });
const bool = (description: string): JsonObject => ({ description, type: 'boolean' });
const stringMap = (description: string): JsonObject => ({
  description,
  type: 'object',
  additionalProperties: { type: 'string', default: '' },
});

function objectMeta(): JsonObject {
  return {
    description:
      'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    type: 'object',
    properties: {
      annotations: stringMap(
        'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations',
      ),
      creationTimestamp: refWith(TIME, {
        description:
          'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
      }),
      deletionGracePeriodSeconds: int(
        'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.',
        'int64',
      ),
      deletionTimestamp: refWith(TIME, {
        description:
          'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client.\n\nPopulated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
      }),
      finalizers: {
        description:
          'Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.',
        type: 'array',
        items: { type: 'string', default: '' },
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
      generateName: str(
        'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. The provided value has the same validation rules as the Name field, and may be truncated by the length of the suffix required to make the value unique on the server.\n\nIf this field is specified and the generated name exists, the server will return a 409.\n\nApplied only if Name is not specified. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency',
      ),
      generation: int(
        'A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.',
        'int64',
      ),
      labels: stringMap(
        'Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels',
      ),
      managedFields: {
        description:
          "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name, or the name of a specific apply path like \"ci-cd\". The set of fields is always in the version that the workflow used when modifying the object.",
        type: 'array',
        items: refWith(MANAGED_FIELDS_ENTRY, { default: {} }),
        'x-kubernetes-list-type': 'atomic',
      },
      name: str(
        'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      ),
      namespace: str(
        'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces',
      ),
      ownerReferences: {
        description:
          'List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.',
        type: 'array',
        items: refWith(OWNER_REFERENCE, { default: {} }),
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
      resourceVersion: str(
        'An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. They may only be valid for a particular resource or set of resources.\n\nPopulated by the system. Read-only. Value must be treated as opaque by clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency',
      ),
      selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
      uid: str(
        'UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.\n\nPopulated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids',
      ),
    },
  };
}

/**
 * The apimachinery definitions every group-version document carries (ObjectMeta and what it
 * references, ListMeta, Status, DeleteOptions, Patch, WatchEvent). `gvs` lists the group-versions
 * whose DeleteOptions/WatchEvent kinds the document serves.
 */
export function metaDefinitions(gvs: readonly { group: string; version: string }[]): Record<string, JsonObject> {
  const gvkList = (kind: string): JsonValue[] => gvs.map((gv) => ({ group: gv.group, kind, version: gv.version }));
  return {
    [DELETE_OPTIONS]: {
      description: 'DeleteOptions may be provided when deleting an API object.',
      type: 'object',
      properties: {
        apiVersion: apiVersionProperty(),
        dryRun: {
          description:
            'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
          type: 'array',
          items: { type: 'string', default: '' },
          'x-kubernetes-list-type': 'atomic',
        },
        gracePeriodSeconds: int(
          'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.',
          'int64',
        ),
        ignoreStoreReadErrorWithClusterBreakingPotential: bool(
          "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it",
        ),
        kind: kindProperty(),
        orphanDependents: bool(
          'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
        ),
        preconditions: refWith(PRECONDITIONS, {
          description: 'Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.',
        }),
        propagationPolicy: str(
          "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
        ),
      },
      'x-kubernetes-group-version-kind': gvkList('DeleteOptions'),
    },
    [FIELDS_V1]: {
      description:
        "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
      type: 'object',
    },
    [LIST_META]: {
      description:
        'ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.',
      type: 'object',
      properties: {
        continue: str(
          'continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects. Continuing a consistent list may not be possible if the server configuration has changed or more than a few minutes have passed. The resourceVersion field returned when using this continue value will be identical to the value in the first response, unless you have received this token from an error message.',
        ),
        remainingItemCount: int(
          'remainingItemCount is the number of subsequent items in the list which are not included in this list response. If the list request contained label or field selectors, then the number of remaining items is unknown and the field will be left unset and omitted during serialization. If the list is complete (either because it is not chunking or because this is the last chunk), then there are no more remaining items and this field will be left unset and omitted during serialization. Servers older than v1.15 do not set this field. The intended use of the remainingItemCount is *estimating* the size of a collection. Clients should not rely on the remainingItemCount to be set or to be exact.',
          'int64',
        ),
        resourceVersion: str(
          "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency",
        ),
        selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
      },
    },
    [MANAGED_FIELDS_ENTRY]: {
      description:
        'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
      type: 'object',
      properties: {
        apiVersion: str(
          'APIVersion defines the version of this resource that this field set applies to. The format is "group/version" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted.',
        ),
        fieldsType: str(
          'FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"',
        ),
        fieldsV1: refWith(FIELDS_V1, {
          description: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.',
        }),
        manager: str('Manager is an identifier of the workflow managing these fields.'),
        operation: str(
          "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.",
        ),
        subresource: str(
          'Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name. For example, a status update will be distinct from a regular update using the same manager name. Note that the APIVersion field is not related to the Subresource field and it always corresponds to the version of the main resource.',
        ),
        time: refWith(TIME, {
          description:
            'Time is the timestamp of when the ManagedFields entry was added. The timestamp will also be updated if a field is added, the manager changes any of the owned fields value or removes a field. The timestamp does not update when a field is removed from the entry because another manager took it over.',
        }),
      },
    },
    [OBJECT_META]: objectMeta(),
    [OWNER_REFERENCE]: {
      description:
        'OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.',
      type: 'object',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: { ...str('API version of the referent.'), default: '' },
        blockOwnerDeletion: bool(
          'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed. See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion for how the garbage collector interacts with this field and enforces the foreground deletion. Defaults to false. To set this field, a user needs "delete" permission of the owner, otherwise 422 (Unprocessable Entity) will be returned.',
        ),
        controller: bool('If true, this reference points to the managing controller.'),
        kind: {
          ...str('Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'),
          default: '',
        },
        name: {
          ...str('Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names'),
          default: '',
        },
        uid: {
          ...str('UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids'),
          default: '',
        },
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [PATCH]: {
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
      type: 'object',
    },
    [PRECONDITIONS]: {
      description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
      type: 'object',
      properties: {
        resourceVersion: str('Specifies the target ResourceVersion'),
        uid: str('Specifies the target UID.'),
      },
    },
    [STATUS]: {
      description: "Status is a return value for calls that don't return other objects.",
      type: 'object',
      properties: {
        apiVersion: apiVersionProperty(),
        code: int('Suggested HTTP return code for this status, 0 if not set.', 'int32'),
        details: refWith(STATUS_DETAILS, {
          description:
            'Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.',
        }),
        kind: kindProperty(),
        message: str('A human-readable description of the status of this operation.'),
        metadata: refWith(LIST_META, { description: LIST_METADATA_DESC, default: {} }),
        reason: str(
          'A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it.',
        ),
        status: str(
          'Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
        ),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
    },
    [STATUS_CAUSE]: {
      description:
        'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.',
      type: 'object',
      properties: {
        field: str(
          'The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional.\n\nExamples:\n  "name" - the field "name" on the current resource\n  "items[0].name" - the field "name" on the first array entry in "items"',
        ),
        message: str('A human-readable description of the cause of the error.  This field may be presented as-is to a reader.'),
        reason: str(
          'A machine-readable description of the cause of the error. If this value is empty there is no information available.',
        ),
      },
    },
    [STATUS_DETAILS]: {
      description:
        'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set. Clients must ignore fields that do not match the defined type of each attribute, and should assume that any attribute may be empty, invalid, or under defined.',
      type: 'object',
      properties: {
        causes: {
          description:
            'The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.',
          type: 'array',
          items: refWith(STATUS_CAUSE, { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
        group: str('The group attribute of the resource associated with the status StatusReason.'),
        kind: str(
          'The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
        ),
        name: str(
          'The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).',
        ),
        retryAfterSeconds: int(
          'If specified, the time in seconds before the operation should be retried. Some errors may indicate the client must take an alternate action - for those errors this field may indicate how long to wait before taking the alternate action.',
          'int32',
        ),
        uid: str(
          'UID of the resource. (when there is a single resource which can be described). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids',
        ),
      },
    },
    [TIME]: {
      description:
        'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
      type: 'string',
      format: 'date-time',
    },
    [WATCH_EVENT]: {
      description: 'Event represents a single event to a watched resource.',
      type: 'object',
      required: ['type', 'object'],
      properties: {
        object: refWith(RAW_EXTENSION, {
          description:
            'Object is:\n * If Type is Added or Modified: the new state of the object.\n * If Type is Deleted: the state of the object immediately before deletion.\n * If Type is Error: *Status is recommended; other types may make sense\n   depending on context.',
        }),
        type: { type: 'string', default: '' },
      },
      'x-kubernetes-group-version-kind': gvkList('WatchEvent'),
    },
    [RAW_EXTENSION]: {
      description:
        'RawExtension is used to hold extensions in external versions.\n\nTo use this, make a field which has RawExtension as its type in your external version struct, and Object in your internal struct. You also need to register your various plugin types.',
      type: 'object',
    },
  };
}

/** autoscaling/v1 Scale and its parts, for resources with a `/scale` subresource. */
export function scaleDefinitions(): Record<string, JsonObject> {
  return {
    [SCALE]: {
      description: 'Scale represents a scaling request for a resource.',
      type: 'object',
      properties: {
        apiVersion: apiVersionProperty(),
        kind: kindProperty(),
        metadata: refWith(OBJECT_META, { description: OBJECT_METADATA_DESC, default: {} }),
        spec: refWith(`${SCALE}Spec`, {
          description:
            'spec defines the behavior of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.',
          default: {},
        }),
        status: refWith(`${SCALE}Status`, {
          description:
            'status is the current status of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status. Read-only.',
          default: {},
        }),
      },
      'x-kubernetes-group-version-kind': [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }],
    },
    [`${SCALE}Spec`]: {
      description: 'ScaleSpec describes the attributes of a scale subresource.',
      type: 'object',
      properties: { replicas: int('replicas is the desired number of instances for the scaled object.', 'int32') },
    },
    [`${SCALE}Status`]: {
      description: 'ScaleStatus represents the current status of a scale subresource.',
      type: 'object',
      required: ['replicas'],
      properties: {
        replicas: { ...int('replicas is the actual number of observed instances of the scaled object.', 'int32'), default: 0 },
        selector: str(
          'selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by the clients. The string will be in the same format as the query-param syntax. More info about label selectors: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels#label-selectors',
        ),
      },
    },
  };
}

// ---- kind schemas ----

/** True for schemas that keep every field they are given at their root. */
export function preservesUnknownAtRoot(t: ResourceType): boolean {
  return t.schema === undefined || t.schema['x-kubernetes-preserve-unknown-fields'] === true;
}

/** A stand-in schema for kinds that carry no schema yet: anything goes, the usual shape is described. */
export function genericObjectSchema(t: ResourceType): JsonObject {
  return {
    description: `${t.kind} is a ${t.group ? `${t.group}/` : ''}${t.version} object.`,
    type: 'object',
    properties: {
      spec: {
        description: `Spec defines the desired state of the ${t.kind}.`,
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      },
      status: {
        description: `Status is the most recently observed state of the ${t.kind}.`,
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      },
    },
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

/**
 * Adds apiVersion/kind/metadata to every `x-kubernetes-embedded-resource` object below the root,
 * as the CRD OpenAPI builder does. `metadataRef` renders the ObjectMeta reference for the target
 * format. For v2, objects that keep unknown fields are left alone: listing properties there would
 * make kubectl reject every other field.
 */
export function addEmbeddedProperties(s: JsonValue, metadataRef: () => JsonObject, v2 = false): void {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return;
  if (s.properties && typeof s.properties === 'object' && !Array.isArray(s.properties)) {
    for (const v of Object.values(s.properties)) addEmbeddedProperties(v, metadataRef, v2);
  }
  addEmbeddedProperties(s.items ?? null, metadataRef, v2);
  addEmbeddedProperties(s.additionalProperties ?? null, metadataRef, v2);
  if (v2 && s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (s['x-kubernetes-embedded-resource'] !== true) return;
  const props: JsonObject =
    s.properties && typeof s.properties === 'object' && !Array.isArray(s.properties) ? s.properties : {};
  props.apiVersion = {
    description:
      'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    type: 'string',
  };
  props.kind = {
    description:
      'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    type: 'string',
  };
  props.metadata = metadataRef();
  s.properties = props;
  const required = Array.isArray(s.required) ? s.required : [];
  for (const r of ['kind', 'apiVersion']) if (!required.includes(r)) required.push(r);
  s.required = required;
}

/**
 * The v3 schema of a kind: the CRD's (or built-in's) schema with `metadata` replaced by a reference
 * to ObjectMeta and described apiVersion/kind, tagged with its group-version-kind.
 */
export function kindSchemaV3(t: ResourceType): JsonObject {
  const base = t.schema ? toJson(t.schema) : genericObjectSchema(t);
  const s: JsonObject = base !== null && typeof base === 'object' && !Array.isArray(base) ? base : {};
  s.type = 'object';
  const props = s.properties && typeof s.properties === 'object' && !Array.isArray(s.properties) ? s.properties : {};
  for (const v of Object.values(props)) addEmbeddedProperties(v, () => refWith(OBJECT_META, { description: OBJECT_METADATA_DESC }));
  props.apiVersion = apiVersionProperty();
  props.kind = kindProperty();
  props.metadata = refWith(OBJECT_META, { description: OBJECT_METADATA_DESC });
  s.properties = props;
  s['x-kubernetes-group-version-kind'] = [{ ...gvkOf(t) }];
  return s;
}

export function listSchemaV3(t: ResourceType): JsonObject {
  return {
    description: `${t.listKind} is a list of ${t.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: apiVersionProperty(),
      items: {
        description: `List of ${t.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: 'array',
        items: ref(definitionName(t)),
      },
      kind: kindProperty(),
      metadata: refWith(LIST_META, { description: LIST_METADATA_DESC }),
    },
    'x-kubernetes-group-version-kind': [{ ...gvkOf(t, t.listKind) }],
  };
}

/**
 * True when clients may compute strategic merge patches from the published schema: only for
 * built-in kinds whose schema carries patch directives. For the rest kubectl falls back to its
 * compiled-in types (built-ins) or JSON merge patch (CRDs), which is what a real cluster yields.
 */
export function advertisesStrategicMerge(t: ResourceType): boolean {
  if (t.custom || !t.schema) return false;
  return JSON.stringify(t.schema).includes('"x-kubernetes-patch-');
}

// ---- paths and operations ----

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';
export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';

export interface ParamSpec {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

export interface ResponseSpec {
  code: string;
  description: string;
  /** Definition name of the body, if any. */
  schema?: string;
}

export interface OperationSpec {
  method: HttpMethod;
  action: Action;
  operationId: string;
  description: string;
  gvk: Gvk;
  parameters: ParamSpec[];
  /** Request body: definition name and the media types it may come in. */
  body?: { schema: string; mediaTypes: string[]; required: boolean };
  responses: ResponseSpec[];
  produces: string[];
}

export interface PathSpec {
  path: string;
  parameters: ParamSpec[];
  operations: OperationSpec[];
}

const Q = (name: string, type: ParamSpec['type'], description: string): ParamSpec => ({ name, in: 'query', type, description });

const P = {
  allowWatchBookmarks: Q(
    'allowWatchBookmarks',
    'boolean',
    'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.',
  ),
  continue: Q(
    'continue',
    'string',
    'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token.',
  ),
  dryRun: Q(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: Q(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  ),
  fieldManagerApply: Q(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).',
  ),
  fieldSelector: Q(
    'fieldSelector',
    'string',
    'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
  ),
  fieldValidation: Q(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: Q(
    'force',
    'boolean',
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  ),
  gracePeriodSeconds: Q(
    'gracePeriodSeconds',
    'integer',
    'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.',
  ),
  ignoreStoreReadError: Q(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it',
  ),
  labelSelector: Q(
    'labelSelector',
    'string',
    'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
  ),
  limit: Q(
    'limit',
    'integer',
    'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.',
  ),
  orphanDependents: Q(
    'orphanDependents',
    'boolean',
    'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
  ),
  pretty: Q(
    'pretty',
    'string',
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
  ),
  propagationPolicy: Q(
    'propagationPolicy',
    'string',
    "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
  ),
  resourceVersion: Q(
    'resourceVersion',
    'string',
    'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset',
  ),
  resourceVersionMatch: Q(
    'resourceVersionMatch',
    'string',
    'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset',
  ),
  sendInitialEvents: Q(
    'sendInitialEvents',
    'boolean',
    '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent. The bookmark will report the ResourceVersion (RV) corresponding to the set of objects, and be marked with `"k8s.io/initial-events-end": "true"` annotation. Afterwards, the watch stream will proceed as usual, sending watch events corresponding to changes (subsequent to the RV) to objects watched.',
  ),
  timeoutSeconds: Q(
    'timeoutSeconds',
    'integer',
    'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.',
  ),
  watch: Q(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.',
  ),
};

const LIST_QUERY = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
const WRITE_QUERY = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_QUERY = [P.dryRun, P.fieldManagerApply, P.fieldValidation, P.force];
const DELETE_QUERY = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy];
const DELETE_COLLECTION_QUERY = [
  P.continue,
  P.dryRun,
  P.fieldSelector,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.labelSelector,
  P.limit,
  P.orphanDependents,
  P.propagationPolicy,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
];

const JSON_YAML = ['application/json', 'application/yaml'];
const STREAMING = ['application/json', 'application/yaml', 'application/json;stream=watch'];
const UNAUTHORIZED: ResponseSpec = { code: '401', description: 'Unauthorized' };

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a';
}

function pathParam(name: 'name' | 'namespace', kind: string): ParamSpec {
  return {
    name,
    in: 'path',
    type: 'string',
    required: true,
    description: name === 'name' ? `name of the ${kind}` : 'object name and auth scope, such as for teams and projects',
  };
}

/** Every path and operation one resource type serves, in the order Kubernetes lists them. */
export function resourcePaths(t: ResourceType): PathSpec[] {
  const can = (verb: string): boolean => t.verbs.includes(verb);
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const scope = t.namespaced ? '/namespaces/{namespace}' : '';
  const id = `${groupIdentifier(t.group)}${capitalize(t.version)}`;
  const ns = t.namespaced ? 'Namespaced' : '';
  const kind = t.kind;
  const gvk = gvkOf(t);
  const model = definitionName(t);
  const listModel = listDefinitionName(t);
  const nsParams = t.namespaced ? [pathParam('namespace', kind)] : [];
  const patchTypes = [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    ...(advertisesStrategicMerge(t) ? ['application/strategic-merge-patch+json'] : []),
  ];
  const out: PathSpec[] = [];

  // Collection.
  const collection: OperationSpec[] = [];
  if (can('list')) {
    collection.push({
      method: 'get',
      action: 'list',
      operationId: `list${id}${ns}${kind}`,
      description: `list or watch objects of kind ${kind}`,
      gvk,
      parameters: LIST_QUERY,
      responses: [{ code: '200', description: 'OK', schema: listModel }, UNAUTHORIZED],
      produces: STREAMING,
    });
  }
  if (can('create')) {
    collection.push({
      method: 'post',
      action: 'post',
      operationId: `create${id}${ns}${kind}`,
      description: `create ${article(kind)} ${kind}`,
      gvk,
      parameters: WRITE_QUERY,
      body: { schema: model, mediaTypes: ['*/*'], required: true },
      responses: [
        { code: '200', description: 'OK', schema: model },
        { code: '201', description: 'Created', schema: model },
        { code: '202', description: 'Accepted', schema: model },
        UNAUTHORIZED,
      ],
      produces: JSON_YAML,
    });
  }
  if (can('deletecollection')) {
    collection.push({
      method: 'delete',
      action: 'deletecollection',
      operationId: `delete${id}Collection${ns}${kind}`,
      description: `delete collection of ${kind}`,
      gvk,
      parameters: DELETE_COLLECTION_QUERY,
      body: { schema: DELETE_OPTIONS, mediaTypes: ['*/*'], required: false },
      responses: [{ code: '200', description: 'OK', schema: STATUS }, UNAUTHORIZED],
      produces: JSON_YAML,
    });
  }
  if (collection.length) out.push({ path: `${base}${scope}/${t.plural}`, parameters: [...nsParams, P.pretty], operations: collection });

  // Item.
  const item: OperationSpec[] = [];
  if (can('get')) {
    item.push({
      method: 'get',
      action: 'get',
      operationId: `read${id}${ns}${kind}`,
      description: `read the specified ${kind}`,
      gvk,
      parameters: [],
      responses: [{ code: '200', description: 'OK', schema: model }, UNAUTHORIZED],
      produces: JSON_YAML,
    });
  }
  if (can('update')) {
    item.push({
      method: 'put',
      action: 'put',
      operationId: `replace${id}${ns}${kind}`,
      description: `replace the specified ${kind}`,
      gvk,
      parameters: WRITE_QUERY,
      body: { schema: model, mediaTypes: ['*/*'], required: true },
      responses: [
        { code: '200', description: 'OK', schema: model },
        { code: '201', description: 'Created', schema: model },
        UNAUTHORIZED,
      ],
      produces: JSON_YAML,
    });
  }
  if (can('delete')) {
    item.push({
      method: 'delete',
      action: 'delete',
      operationId: `delete${id}${ns}${kind}`,
      description: `delete ${article(kind)} ${kind}`,
      gvk,
      parameters: DELETE_QUERY,
      body: { schema: DELETE_OPTIONS, mediaTypes: ['*/*'], required: false },
      responses: [
        { code: '200', description: 'OK', schema: STATUS },
        { code: '202', description: 'Accepted', schema: STATUS },
        UNAUTHORIZED,
      ],
      produces: JSON_YAML,
    });
  }
  if (can('patch')) {
    item.push({
      method: 'patch',
      action: 'patch',
      operationId: `patch${id}${ns}${kind}`,
      description: `partially update the specified ${kind}`,
      gvk,
      parameters: PATCH_QUERY,
      body: { schema: PATCH, mediaTypes: patchTypes, required: true },
      responses: [
        { code: '200', description: 'OK', schema: model },
        { code: '201', description: 'Created', schema: model },
        UNAUTHORIZED,
      ],
      produces: JSON_YAML,
    });
  }
  const itemPath = `${base}${scope}/${t.plural}/{name}`;
  const itemParams = [pathParam('name', kind), ...nsParams, P.pretty];
  if (item.length) out.push({ path: itemPath, parameters: itemParams, operations: item });

  // Subresources.
  const subresource = (sub: 'status' | 'scale', label: string, subGvk: Gvk, subModel: string): void => {
    const ops: OperationSpec[] = [];
    const suffix = capitalize(sub);
    if (can('get')) {
      ops.push({
        method: 'get',
        action: 'get',
        operationId: `read${id}${ns}${kind}${suffix}`,
        description: `read ${label} of the specified ${kind}`,
        gvk: subGvk,
        parameters: [],
        responses: [{ code: '200', description: 'OK', schema: subModel }, UNAUTHORIZED],
        produces: JSON_YAML,
      });
    }
    if (can('update')) {
      ops.push({
        method: 'put',
        action: 'put',
        operationId: `replace${id}${ns}${kind}${suffix}`,
        description: `replace ${label} of the specified ${kind}`,
        gvk: subGvk,
        parameters: WRITE_QUERY,
        body: { schema: subModel, mediaTypes: ['*/*'], required: true },
        responses: [
          { code: '200', description: 'OK', schema: subModel },
          { code: '201', description: 'Created', schema: subModel },
          UNAUTHORIZED,
        ],
        produces: JSON_YAML,
      });
    }
    if (can('patch')) {
      ops.push({
        method: 'patch',
        action: 'patch',
        operationId: `patch${id}${ns}${kind}${suffix}`,
        description: `partially update ${label} of the specified ${kind}`,
        gvk: subGvk,
        parameters: PATCH_QUERY,
        body: { schema: PATCH, mediaTypes: patchTypes, required: true },
        responses: [
          { code: '200', description: 'OK', schema: subModel },
          { code: '201', description: 'Created', schema: subModel },
          UNAUTHORIZED,
        ],
        produces: JSON_YAML,
      });
    }
    if (ops.length) out.push({ path: `${itemPath}/${sub}`, parameters: itemParams, operations: ops });
  };
  if (t.subresources.scale) subresource('scale', 'scale', { group: 'autoscaling', kind: 'Scale', version: 'v1' }, SCALE);
  if (t.subresources.status) subresource('status', 'status', gvk, model);

  // All-namespaces list and the deprecated watch paths.
  if (t.namespaced && can('list')) {
    out.push({
      path: `${base}/${t.plural}`,
      parameters: [...LIST_QUERY, P.pretty],
      operations: [
        {
          method: 'get',
          action: 'list',
          operationId: `list${id}${kind}ForAllNamespaces`,
          description: `list or watch objects of kind ${kind}`,
          gvk,
          parameters: [],
          responses: [{ code: '200', description: 'OK', schema: listModel }, UNAUTHORIZED],
          produces: STREAMING,
        },
      ],
    });
  }
  if (can('watch')) {
    const watch = (path: string, params: ParamSpec[], action: 'watch' | 'watchlist', opId: string, desc: string): void => {
      out.push({
        path,
        parameters: [...LIST_QUERY, ...params, P.pretty].sort((a, b) => cmp(a.name, b.name)),
        operations: [
          {
            method: 'get',
            action,
            operationId: opId,
            description: desc,
            gvk,
            parameters: [],
            responses: [{ code: '200', description: 'OK', schema: WATCH_EVENT }, UNAUTHORIZED],
            produces: STREAMING,
          },
        ],
      });
    };
    const deprecatedList = `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`;
    watch(`${base}/watch${scope}/${t.plural}`, nsParams, 'watchlist', `watch${id}${ns}${kind}List`, deprecatedList);
    watch(
      `${base}/watch${scope}/${t.plural}/{name}`,
      [pathParam('name', kind), ...nsParams],
      'watch',
      `watch${id}${ns}${kind}`,
      `watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
    );
    if (t.namespaced) {
      watch(`${base}/watch/${t.plural}`, [], 'watchlist', `watch${id}${kind}ListForAllNamespaces`, deprecatedList);
    }
  }
  return out;
}

/** The group-versions present in `types` (core `v1` always first). */
export function groupVersions(types: readonly ResourceType[]): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  seen.set('/v1', { group: '', version: 'v1' });
  for (const t of sortTypes(types)) seen.set(`${t.group}/${t.version}`, { group: t.group, version: t.version });
  return [...seen.values()];
}
