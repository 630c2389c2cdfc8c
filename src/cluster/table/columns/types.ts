/**
 * What a per-kind printer is, and the small helpers the printers share. A printer mirrors one
 * handler of kube-apiserver's `pkg/printers/internalversion`: its column definitions and a row
 * function, always run "wide" (the server sends every column; kubectl hides priority > 0 ones).
 */
import type { KubeObject } from '../../objects.js';
import { objectMetaDoc } from './docs.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export type TableCell = string | number | boolean | null;

export interface PrintedRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
}

export interface PrintContext {
  now: Date;
}

export interface Printer {
  columns: TableColumnDefinition[];
  row(obj: KubeObject, ctx: PrintContext): PrintedRow;
}

export function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

export const nameColumn = (): TableColumnDefinition => column('Name', 'string', objectMetaDoc.name, 0, 'name');
export const ageColumn = (): TableColumnDefinition => column('Age', 'string', objectMetaDoc.creationTimestamp);
export const containersColumn = (): TableColumnDefinition => column('Containers', 'string', 'Names of each container in the template.', 1);
export const imagesColumn = (): TableColumnDefinition => column('Images', 'string', 'Images referenced by each container in the template.', 1);

// ---------------------------------------------------------------------------------------------
// Reading loosely-typed JSON

export type Obj = Record<string, unknown>;

/** The value as an object, or `{}`. */
export function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

/** The value as an array of objects, or `[]`. */
export function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

/** The value as a string, or `''` (Go's zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The value as an integer, or `dflt` (Go's zero value unless a default applies). */
export function int(v: unknown, dflt = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt;
}

/** A map of strings, or `{}`. */
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

/** `resource.Quantity.String()` of a map entry; an absent quantity is the zero quantity, `0`. */
export function quantity(v: unknown): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return '0';
}

/** `intstr.IntOrString.String()`. */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : str(v);
}

/** `layoutContainerCells`: container names and images, comma-joined. */
export function containerCells(containers: unknown): [string, string] {
  const cs = list(containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

/** `printBoolPtr`. */
export function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

/** Go's `sets.NewString(...).List()`: unique and sorted. */
export function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
