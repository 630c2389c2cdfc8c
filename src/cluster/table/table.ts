/**
 * Server-side printing: the `meta.k8s.io/v1` Table kube-apiserver returns for
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, which is what `kubectl get` renders.
 *
 * Printers always produce every column, including the `priority: 1` ones kubectl shows only with
 * `-o wide`. Each row carries the object as asked by `includeObject`: nothing, its metadata as a
 * PartialObjectMetadata (the default), or the whole object.
 */
import type { KubeObject, ObjectMeta, ResourceType } from '../objects.js';
import { printerFor } from './columns/index.js';
import type { TableCell, TableColumnDefinition, TableRowCondition } from './columns/types.js';

export type { TableCell, TableColumnDefinition, TableRowCondition } from './columns/types.js';
export { humanDuration } from './duration.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: string;
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  object?: KubeObject | PartialObjectMetadata;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: TableListMeta;
  /** null when `noHeaders` was asked for, as Go serialises a nil slice. */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** The clock the AGE-style cells are computed against. */
  now: Date;
  /** The list's metadata; for a single GET pass the object's `resourceVersion`. */
  listMeta?: TableListMeta;
  /** `?noHeaders=true` (TableOptions.NoHeaders): omit the column definitions. */
  noHeaders?: boolean;
  /** The Table's group/version; PartialObjectMetadata rows carry the same. Default `meta.k8s.io/v1`. */
  groupVersion?: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
}

function listMetaOf(meta: TableListMeta | undefined): TableListMeta {
  const out: TableListMeta = {};
  if (meta?.resourceVersion) out.resourceVersion = meta.resourceVersion;
  if (meta?.continue) out.continue = meta.continue;
  if (meta?.remainingItemCount !== undefined && meta.remainingItemCount !== null) out.remainingItemCount = meta.remainingItemCount;
  return out;
}

/**
 * Renders objects of one resource type as a Table, with the columns kube-apiserver's printer for
 * that group/kind defines (CRDs: NAME plus `additionalPrinterColumns`, or NAME and AGE; kinds
 * without a printer: NAME and CREATED AT).
 */
export function toTable(type: ResourceType, objects: readonly KubeObject[], opts: TableOptions): Table {
  const groupVersion = opts.groupVersion ?? 'meta.k8s.io/v1';
  const printer = printerFor(type);
  const ctx = { now: opts.now };
  const rows: TableRow[] = objects.map((o) => {
    const printed = printer.row(o, ctx);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions.map((c) => ({ ...c }));
    if (opts.includeObject === 'Object') row.object = o;
    else if (opts.includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: groupVersion, metadata: o.metadata };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: groupVersion,
    metadata: listMetaOf(opts.listMeta),
    columnDefinitions: opts.noHeaders ? null : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
