/**
 * The JSONPath dialect of client-go's `util/jsonpath`, as far as CRD `additionalPrinterColumns`,
 * `selectableFields` and kubectl's simple paths use it:
 *
 *   `.a.b`  `$.a`  `{.a.b}`  `.a[0]`  `.a[-1]`  `.a[0:2]`  `.a[*]`  `.a.*`  `..name`
 *   `.a['x.y']`  `.a["x/y"]`  `.a['x','y']`  `.a.x\.y`  `.a[?(@.type=="Ready")].status`
 *
 * Evaluation follows `AllowMissingKeys(true)`: a missing key, an out-of-range index or a step
 * applied to the wrong kind of value yields no result rather than an error.
 */

export class JsonPathError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly position: number,
  ) {
    super(`invalid JSONPath ${JSON.stringify(path)}: ${reason} at position ${position}`);
    this.name = 'JsonPathError';
  }
}

type Step =
  | { kind: 'field'; names: string[] }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string | null }
  | { kind: 'index'; indices: number[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; filter: Filter };

type Operand = { kind: 'path'; root: '@' | '$'; steps: Step[] } | { kind: 'literal'; value: string | number | boolean | null };

interface Filter {
  left: Operand;
  op?: '==' | '!=' | '<' | '<=' | '>' | '>=';
  right?: Operand;
}

export interface JsonPath {
  /** The path as written. */
  readonly source: string;
  /** Every value the path selects, in document order; `[]` when nothing matches. */
  find(data: unknown): unknown[];
}

const NAME_STOP = new Set(['.', '[', ']', '(', ')', ',', '{', '}', ' ', '\t', '\n', '\r', '=', '!', '<', '>']);

class PathParser {
  i = 0;
  constructor(
    readonly src: string,
    readonly text: string,
    readonly offset: number,
  ) {}

  fail(reason: string, at = this.i): never {
    throw new JsonPathError(this.src, reason, at + this.offset);
  }

  peek(n = 0): string {
    return this.text[this.i + n] ?? '';
  }

  /** Parses steps until the end, or (inside a filter) until an operator, blank or `)`. */
  steps(inFilter: boolean): Step[] {
    const steps: Step[] = [];
    while (this.i < this.text.length) {
      const c = this.peek();
      if (inFilter && (c === ')' || c === ' ' || c === '=' || c === '!' || c === '<' || c === '>')) break;
      if (c === '.') {
        if (this.peek(1) === '.') {
          this.i += 2;
          steps.push(this.recursive());
          continue;
        }
        this.i++;
        if (this.peek() === '*') {
          this.i++;
          steps.push({ kind: 'wildcard' });
          continue;
        }
        if (this.peek() === '[') continue; // `.[0]` is accepted as `[0]`
        if (this.i >= this.text.length && steps.length === 0) break; // `.` alone is the root
        steps.push({ kind: 'field', names: [this.name()] });
        continue;
      }
      if (c === '[') {
        steps.push(this.bracket());
        continue;
      }
      this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
    return steps;
  }

  recursive(): Step {
    if (this.peek() === '*') {
      this.i++;
      return { kind: 'recursive', name: null };
    }
    if (this.peek() === '[') {
      const start = this.i;
      const b = this.bracket();
      if (b.kind !== 'field' || b.names.length !== 1) this.fail('recursive descent takes a single field name', start);
      return { kind: 'recursive', name: (b as { names: string[] }).names[0] };
    }
    return { kind: 'recursive', name: this.name() };
  }

  /** A dotted field name; `\` escapes the next character (`kubernetes\.io/name`). */
  name(): string {
    const start = this.i;
    let out = '';
    while (this.i < this.text.length) {
      const c = this.peek();
      if (c === '\\' && this.i + 1 < this.text.length) {
        out += this.text[this.i + 1];
        this.i += 2;
        continue;
      }
      if (NAME_STOP.has(c) || c === "'" || c === '"' || c === '$' || c === '@' || c === '*') break;
      out += c;
      this.i++;
    }
    if (out.length === 0) this.fail('expected a field name', start);
    return out;
  }

  quoted(): string {
    const quote = this.peek();
    const start = this.i;
    this.i++;
    let out = '';
    while (this.i < this.text.length && this.peek() !== quote) {
      if (this.peek() === '\\' && this.i + 1 < this.text.length) {
        out += this.text[this.i + 1];
        this.i += 2;
        continue;
      }
      out += this.peek();
      this.i++;
    }
    if (this.peek() !== quote) this.fail('unterminated quoted string', start);
    this.i++;
    return out;
  }

  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }

  bracket(): Step {
    const open = this.i;
    this.i++; // [
    this.skipBlanks();
    if (this.i >= this.text.length) this.fail('unterminated array subscript', open);
    let step: Step;
    const c = this.peek();
    if (c === '*') {
      this.i++;
      step = { kind: 'wildcard' };
    } else if (c === "'" || c === '"') {
      const names = [this.quoted()];
      this.skipBlanks();
      while (this.peek() === ',') {
        this.i++;
        this.skipBlanks();
        if (this.peek() !== "'" && this.peek() !== '"') this.fail('expected a quoted field name');
        names.push(this.quoted());
        this.skipBlanks();
      }
      step = { kind: 'field', names };
    } else if (c === '?') {
      this.i++;
      if (this.peek() !== '(') this.fail("expected '(' after '?'");
      this.i++;
      step = { kind: 'filter', filter: this.filter() };
      if (this.peek() !== ')') this.fail("expected ')' to close the filter");
      this.i++;
    } else {
      step = this.indexOrSlice();
    }
    this.skipBlanks();
    if (this.peek() !== ']') this.fail(this.i >= this.text.length ? 'unterminated array subscript' : `unexpected character ${JSON.stringify(this.peek())}`, this.i >= this.text.length ? open : this.i);
    this.i++;
    return step;
  }

  int(): number | undefined {
    const m = /^-?[0-9]+/.exec(this.text.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return Number(m[0]);
  }

  indexOrSlice(): Step {
    const start = this.i;
    const first = this.int();
    this.skipBlanks();
    if (this.peek() === ':') {
      const parts: (number | undefined)[] = [first];
      while (this.peek() === ':' && parts.length < 3) {
        this.i++;
        this.skipBlanks();
        parts.push(this.int());
        this.skipBlanks();
      }
      if (parts[2] === 0) this.fail('slice step cannot be zero', start);
      return { kind: 'slice', start: parts[0], end: parts[1], step: parts[2] };
    }
    if (first === undefined) this.fail('expected an index, a slice, a quoted name, * or a filter', start);
    const indices = [first as number];
    while (this.peek() === ',') {
      this.i++;
      this.skipBlanks();
      const n = this.int();
      if (n === undefined) this.fail('expected an index');
      indices.push(n as number);
      this.skipBlanks();
    }
    return { kind: 'index', indices };
  }

  filter(): Filter {
    this.skipBlanks();
    const left = this.operand();
    this.skipBlanks();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.text.slice(this.i));
    if (!m) return { left };
    this.i += m[0].length;
    this.skipBlanks();
    const right = this.operand();
    this.skipBlanks();
    return { left, op: m[0] as Filter['op'], right };
  }

  operand(): Operand {
    const c = this.peek();
    if (c === '@' || c === '$') {
      this.i++;
      return { kind: 'path', root: c, steps: this.steps(true) };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.quoted() };
    const m = /^(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false|null)/.exec(this.text.slice(this.i));
    if (!m) this.fail('expected @, a quoted string, a number, true, false or null in the filter');
    const lit = (m as RegExpExecArray)[0];
    this.i += lit.length;
    return { kind: 'literal', value: lit === 'true' ? true : lit === 'false' ? false : lit === 'null' ? null : Number(lit) };
  }
}

/**
 * Parses a JSONPath. Accepts `{...}` around it and an optional `$` root.
 * @throws JsonPathError naming the path, the problem and where it is.
 */
export function parseJsonPath(path: string): JsonPath {
  let text = path;
  let offset = 0;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new JsonPathError(path, 'unclosed action', 0);
    text = text.slice(1, -1);
    offset = 1;
  }
  if (text.length === 0) throw new JsonPathError(path, 'empty path', offset);
  const parser = new PathParser(path, text, offset);
  if (parser.peek() === '$') parser.i++;
  else if (parser.peek() !== '.' && parser.peek() !== '[') parser.fail("a path must start with '.', '[' or '$'");
  const steps = parser.steps(false);
  return { source: path, find: (data) => evaluate(steps, [data], data) };
}

/** Every value `path` selects in `data`. @throws JsonPathError */
export function evaluateJsonPath(path: string, data: unknown): unknown[] {
  return parseJsonPath(path).find(data);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function evaluate(steps: readonly Step[], start: unknown[], root: unknown): unknown[] {
  let cur = start;
  for (const step of steps) cur = cur.flatMap((v) => apply(step, v, root));
  return cur;
}

function apply(step: Step, v: unknown, root: unknown): unknown[] {
  switch (step.kind) {
    case 'field':
      if (!isObject(v)) return [];
      return step.names.filter((n) => Object.prototype.hasOwnProperty.call(v, n)).map((n) => v[n]);
    case 'wildcard':
      if (Array.isArray(v)) return v;
      if (isObject(v)) return Object.keys(v).sort().map((k) => v[k]);
      return [];
    case 'recursive': {
      const out: unknown[] = [];
      descend(v, step.name, out);
      return out;
    }
    case 'index': {
      if (!Array.isArray(v)) return [];
      const out: unknown[] = [];
      for (const raw of step.indices) {
        const i = raw < 0 ? raw + v.length : raw;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
      return out;
    }
    case 'slice':
      return Array.isArray(v) ? slice(v, step) : [];
    case 'filter':
      return Array.isArray(v) ? v.filter((item) => passes(step.filter, item, root)) : [];
  }
}

function descend(v: unknown, name: string | null, out: unknown[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (name === null) out.push(item);
      descend(item, name, out);
    }
  } else if (isObject(v)) {
    for (const k of Object.keys(v).sort()) {
      if (name === null || k === name) out.push(v[k]);
      descend(v[k], name, out);
    }
  }
}

function slice(arr: readonly unknown[], s: { start?: number; end?: number; step?: number }): unknown[] {
  const len = arr.length;
  const step = s.step ?? 1;
  const norm = (n: number | undefined, dflt: number): number => {
    if (n === undefined) return dflt;
    const x = n < 0 ? n + len : n;
    return Math.min(Math.max(x, step > 0 ? 0 : -1), step > 0 ? len : len - 1);
  };
  const out: unknown[] = [];
  if (step > 0) {
    for (let i = norm(s.start, 0); i < norm(s.end, len); i += step) out.push(arr[i]);
  } else {
    for (let i = norm(s.start, len - 1); i > norm(s.end, -1); i += step) out.push(arr[i]);
  }
  return out;
}

function operandValues(o: Operand, item: unknown, root: unknown): unknown[] {
  if (o.kind === 'literal') return [o.value];
  return evaluate(o.steps, [o.root === '@' ? item : root], root);
}

function passes(f: Filter, item: unknown, root: unknown): boolean {
  const lefts = operandValues(f.left, item, root);
  if (!f.op || !f.right) return lefts.length > 0 && lefts[0] !== null && lefts[0] !== false;
  const rights = operandValues(f.right, item, root);
  if (lefts.length !== 1 || rights.length !== 1) return false;
  return compare(lefts[0], f.op, rights[0]);
}

function compare(a: unknown, op: NonNullable<Filter['op']>, b: unknown): boolean {
  if (op === '==' || op === '!=') {
    const eq = typeof a === typeof b && (typeof a !== 'object' || a === null) ? a === b : JSON.stringify(a) === JSON.stringify(b);
    return op === '==' ? eq : !eq;
  }
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

// ---------------------------------------------------------------------------------------------
// Printing values the way Go does

/**
 * Go's `%v` for an unstructured number: integral values print as int64, others as float64 with
 * shortest digits and exponent form when the exponent is < -4 or >= 6 (`1.5e+06`, `1e-05`).
 */
export function goFormatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) {
    // Integral JSON numbers decode to int64 in unstructured objects.
    return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  }
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mantissa, expPart] = n.toExponential().split('e');
  const exp = Number(expPart);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** `encoding/json.Marshal` of a JSON value: sorted keys, HTML-safe escaping. */
export function goJsonMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJsonMarshal).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${goJsonMarshal(k)}:${goJsonMarshal(v[k])}`)
      .join(',')}}`;
  }
  return 'null';
}

/** Go's `fmt.Sprint` of an unstructured value (`map[a:1 b:x]`, `[1 2]`, `<nil>`). */
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFormatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goSprint(v[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/**
 * One value as client-go's `JSONPath.PrintResults` writes it, which is what a CRD column of type
 * `string` shows: strings raw, maps and lists as JSON, JSON null as `<no value>`.
 */
export function jsonPathText(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (Array.isArray(v) || isObject(v)) return goJsonMarshal(v);
  return goSprint(v);
}

/**
 * All results of a path the way kubectl's custom-columns prints a cell: every value `fmt.Sprint`-ed
 * and joined with commas, `<none>` when the path selects nothing.
 */
export function formatJsonPathResults(values: readonly unknown[]): string {
  if (values.length === 0) return '<none>';
  return values.map(goSprint).join(',');
}
