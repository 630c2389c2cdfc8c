/**
 * Tables for kinds without a dedicated printer: custom resources (apiextensions-apiserver's
 * `tableconvertor`, driven by `additionalPrinterColumns`) and the generic API server's default
 * table convertor (NAME, CREATED AT) used by built-ins such as Roles, LimitRanges and CRDs.
 */
import type { KubeObject, PrinterColumn } from '../../objects.js';
import { formatRfc3339, humanDuration, parseTimestamp } from '../duration.js';
import { jsonPathText, parseJsonPath, type JsonPath } from '../jsonpath.js';
import { objectMetaDoc } from './docs.js';
import { column, nameColumn, type PrintContext, type Printer, type TableCell } from './types.js';

/** What apiextensions serves when a version declares no printer columns. */
const defaultCustomColumns: PrinterColumn[] = [
  { name: 'Age', type: 'date', description: objectMetaDoc.creationTimestamp, jsonPath: '.metadata.creationTimestamp' },
];

/** `cellForJSONValue` for non-string column types. */
function typedCell(type: string, value: unknown, now: Date): TableCell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      const ms = parseTimestamp(value);
      return ms === undefined ? '<invalid>' : humanDuration(now.getTime() - ms);
    }
    default:
      return null;
  }
}

function customCell(col: PrinterColumn, path: JsonPath, o: KubeObject, ctx: PrintContext): TableCell {
  const results = path.find(o);
  if (results.length === 0) return null;
  // Only simple paths are supported, so the first result is the value.
  const value = results[0];
  if (col.type === 'string') return jsonPathText(value);
  return typedCell(col.type, value, ctx.now);
}

/**
 * The printer for a custom resource version: NAME, then its `additionalPrinterColumns` in order
 * (or AGE when it declares none). A column whose JSONPath does not parse ends the list there, as
 * the real convertor keeps the columns it built before the error.
 */
export function customResourcePrinter(printerColumns: readonly PrinterColumn[] | undefined): Printer {
  const declared = printerColumns && printerColumns.length > 0 ? printerColumns : defaultCustomColumns;
  const cols: { col: PrinterColumn; path: JsonPath }[] = [];
  for (const col of declared) {
    let path: JsonPath;
    try {
      path = parseJsonPath(col.jsonPath);
    } catch {
      break;
    }
    cols.push({ col, path });
  }
  return {
    columns: [
      nameColumn(),
      ...cols.map(({ col }) =>
        column(col.name, col.type, col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`, col.priority ?? 0, col.format ?? ''),
      ),
    ],
    row: (o, ctx) => ({ cells: [o.metadata?.name ?? '', ...cols.map(({ col, path }) => customCell(col, path, o, ctx))] }),
  };
}

/** `rest.NewDefaultTableConvertor`: NAME and CREATED AT (RFC 3339, UTC). */
export const defaultPrinter: Printer = {
  columns: [nameColumn(), column('Created At', 'date', objectMetaDoc.creationTimestamp)],
  row: (o) => ({ cells: [o.metadata?.name ?? '', formatRfc3339(o.metadata?.creationTimestamp)] }),
};
