/**
 * Label selectors: the string form (`?labelSelector=`) parsed the way apimachinery's `labels.Parse`
 * does, token for token and message for message, and the object form (`metav1.LabelSelector`).
 * Both compile to a matcher over an object's labels.
 */
import { ApiError } from '../errors.js';
import { aggregate, fieldInvalid, validateLabelKey, validateLabelValue } from './validation.js';

/** Operators as apimachinery's `selection.Operator` spells them. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for parsed selectors; as given for the object form. */
  readonly values: readonly string[];
}

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** `metav1.LabelSelector`. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] | null }> | null;
}

/**
 * A 400 BadRequest for a selector that does not parse. The message is Kubernetes' own (which names
 * the offending token); `position` is the 0-based offset in the selector string where it starts.
 */
export class SelectorSyntaxError extends ApiError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(400, 'BadRequest', message);
    this.name = 'SelectorSyntaxError';
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer

enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const literalTokens: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

interface Token {
  tok: Tok;
  lit: string;
  pos: number;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

/** Splits a selector into tokens. Like Go's lexer, a NUL character ends the input. */
function lex(input: string): Token[] {
  const s = input.includes('\0') ? input.slice(0, input.indexOf('\0')) : input;
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      tokens.push({ tok: Tok.EndOfString, lit: '', pos });
      return tokens;
    }
    const start = pos;
    if (isSpecial(s[pos])) {
      // Longest run of special characters that still forms a known operator.
      let best: Token | undefined;
      let buf = '';
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = literalTokens.get(buf);
        if (t !== undefined) {
          best = { tok: t, lit: buf, pos: start };
          pos++;
        } else if (best) {
          break;
        } else {
          pos++;
        }
      }
      tokens.push(best ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'`, pos: start });
      continue;
    }
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) pos++;
    const lit = s.slice(start, pos);
    const kw = literalTokens.get(lit);
    tokens.push({ tok: kw ?? Tok.Identifier, lit, pos: start });
  }
}

// ---------------------------------------------------------------------------------------------
// Parser (a port of apimachinery's recursive descent; messages are verbatim)

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class ParseFailure extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  /** In a values context `in` and `notin` are ordinary identifiers. */
  private view(t: Token, values: boolean): Token {
    if (values && (t.tok === Tok.In || t.tok === Tok.NotIn)) return { ...t, tok: Tok.Identifier };
    return t;
  }

  private lookahead(values: boolean): Token {
    return this.view(this.tokens[this.i], values);
  }

  private consume(values: boolean): Token {
    const t = this.tokens[this.i];
    if (this.i < this.tokens.length - 1) this.i++;
    return this.view(t, values);
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.lookahead(true);
      if (t.tok === Tok.EndOfString) return reqs;
      if (t.tok !== Tok.Identifier && t.tok !== Tok.DoesNotExist) {
        throw new ParseFailure(`found '${t.lit}', expected: !, identifier, or 'end of string'`, t.pos);
      }
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        if (e instanceof ParseFailure) throw new ParseFailure(`unable to parse requirement: ${e.message}`, e.position);
        throw e;
      }
      const next = this.consume(true);
      if (next.tok === Tok.EndOfString) return reqs;
      if (next.tok !== Tok.Comma) throw new ParseFailure(`found '${next.lit}', expected: ',' or 'end of string'`, next.pos);
      const after = this.lookahead(true);
      if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
        throw new ParseFailure(`found '${after.lit}', expected: identifier after ','`, after.pos);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const start = this.tokens[this.i].pos;
    let t = this.consume(true);
    let operator: LabelOperator | undefined;
    if (t.tok === Tok.DoesNotExist) {
      operator = '!';
      t = this.consume(true);
    }
    if (t.tok !== Tok.Identifier) throw new ParseFailure(`found '${t.lit}', expected: identifier`, t.pos);
    const key = t.lit;
    const keyErrs = validateLabelKey(key);
    if (keyErrs.length > 0) throw new ParseFailure(fieldInvalid(null, key, keyErrs.join('; ')), t.pos);
    const la = this.lookahead(true).tok;
    if ((la === Tok.EndOfString || la === Tok.Comma) && operator === undefined) operator = 'exists';
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, [], start);

    const opTok = this.consume(false);
    const op = operatorOf(opTok.tok);
    if (!op) throw new ParseFailure(`found '${opTok.lit}', expected: ${BINARY_OPERATORS}`, opTok.pos);
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort(), start);
  }

  private parseValues(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== Tok.OpenPar) throw new ParseFailure(`found '${open.lit}' expected: '('`, open.pos);
    const first = this.lookahead(true);
    if (first.tok === Tok.Identifier || first.tok === Tok.Comma) {
      const set = this.parseIdentifiersList();
      const close = this.consume(true);
      if (close.tok !== Tok.ClosedPar) throw new ParseFailure(`found '${first.lit}', expected: ')'`, close.pos);
      return set;
    }
    if (first.tok === Tok.ClosedPar) {
      this.consume(true);
      return new Set(['']);
    }
    throw new ParseFailure(`found '${first.lit}', expected: ',', ')' or identifier`, first.pos);
  }

  private parseIdentifiersList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const t = this.consume(true);
      if (t.tok === Tok.Identifier) {
        set.add(t.lit);
        const next = this.lookahead(true);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return set;
        throw new ParseFailure(`found '${next.lit}', expected: ',' or ')'`, next.pos);
      }
      if (t.tok === Tok.Comma) {
        if (set.size === 0) set.add(''); // "(,"
        const next = this.lookahead(true);
        if (next.tok === Tok.ClosedPar) {
          set.add(''); // ",)"
          return set;
        }
        if (next.tok === Tok.Comma) set.add(''); // ",,"
        continue;
      }
      throw new ParseFailure(`found '${t.lit}', expected: ',', or identifier`, t.pos);
    }
  }

  private parseExactValue(): Set<string> {
    const la = this.lookahead(true);
    if (la.tok === Tok.EndOfString || la.tok === Tok.Comma) return new Set(['']);
    const t = this.consume(true);
    if (t.tok === Tok.Identifier) return new Set([t.lit]);
    throw new ParseFailure(`found '${t.lit}', expected: identifier`, t.pos);
  }
}

function operatorOf(tok: Tok): LabelOperator | undefined {
  switch (tok) {
    case Tok.In:
      return 'in';
    case Tok.NotIn:
      return 'notin';
    case Tok.Equals:
      return '=';
    case Tok.DoubleEquals:
      return '==';
    case Tok.NotEquals:
      return '!=';
    case Tok.GreaterThan:
      return 'gt';
    case Tok.LessThan:
      return 'lt';
    default:
      return undefined;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.ParseInt(s, 10, 64)`; undefined when it would fail. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** apimachinery's `NewRequirement` checks (without a field path, as the API server calls it). */
function requirementErrors(key: string, op: LabelOperator, values: readonly string[]): string[] {
  const errs: string[] = [];
  const keyErrs = validateLabelKey(key);
  if (keyErrs.length > 0) errs.push(fieldInvalid('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(fieldInvalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(fieldInvalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(fieldInvalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(fieldInvalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(fieldInvalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = validateLabelValue(v);
    if (valueErrs.length > 0) errs.push(fieldInvalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs;
}

function newRequirement(key: string, operator: LabelOperator, values: string[], position: number): LabelRequirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length > 0) throw new ParseFailure(aggregate(errs), position);
  return { key, operator, values };
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return reqs.map((r, i) => ({ r, i })).sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i)).map((x) => x.r);
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Parses the string form of a label selector into requirements sorted by key (`labels.Parse`).
 * An empty or blank string yields no requirements (matches everything).
 * @throws SelectorSyntaxError (400 BadRequest) with Kubernetes' message.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  try {
    return sortByKey(new Parser(lex(selector)).parse());
  } catch (e) {
    if (e instanceof ParseFailure) throw new SelectorSyntaxError(e.message, e.position);
    throw e;
  }
}

/** True when one requirement holds for `labels` (`Requirement.Matches`). */
export function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || r.values.length !== 1) return false;
      const actual = parseInt64(value);
      const wanted = parseInt64(r.values[0]);
      if (actual === undefined || wanted === undefined) return false;
      return r.operator === 'gt' ? actual > wanted : actual < wanted;
    }
  }
}

/** True when every requirement holds (an empty list matches everything). */
export function matchesRequirements(reqs: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  return reqs.every((r) => requirementMatches(r, labels));
}

/** Compiles a string selector into a matcher. @throws SelectorSyntaxError */
export function compileLabelSelector(selector: string): LabelMatcher {
  const reqs = parseLabelSelector(selector);
  if (reqs.length === 0) return () => true;
  return (labels) => matchesRequirements(reqs, labels);
}

/**
 * The requirements of a `metav1.LabelSelector` (`LabelSelectorAsSelector`), sorted by key.
 * Returns null for a null/undefined selector, which selects nothing; `{}` gives `[]` (everything).
 * @throws ApiError 400 for an unknown operator or invalid keys/values, with Kubernetes' message.
 */
export function labelSelectorRequirements(sel: LabelSelectorObject | null | undefined): LabelRequirement[] | null {
  if (sel === null || sel === undefined) return null;
  const reqs: LabelRequirement[] = [];
  const fail = (message: string): never => {
    throw new ApiError(400, 'BadRequest', message);
  };
  for (const key of Object.keys(sel.matchLabels ?? {}).sort()) {
    const value = (sel.matchLabels ?? {})[key];
    const errs = requirementErrors(key, '=', [value]);
    if (errs.length > 0) fail(aggregate(errs));
    reqs.push({ key, operator: '=', values: [value] });
  }
  for (const expr of sel.matchExpressions ?? []) {
    const op = expressionOperator(expr.operator);
    if (!op) fail(`"${expr.operator}" is not a valid label selector operator`);
    const values = [...(expr.values ?? [])];
    const errs = requirementErrors(expr.key, op as LabelOperator, values);
    if (errs.length > 0) fail(aggregate(errs));
    reqs.push({ key: expr.key, operator: op as LabelOperator, values });
  }
  return sortByKey(reqs);
}

function expressionOperator(op: string): LabelOperator | undefined {
  switch (op) {
    case 'In':
      return 'in';
    case 'NotIn':
      return 'notin';
    case 'Exists':
      return 'exists';
    case 'DoesNotExist':
      return '!';
    default:
      return undefined;
  }
}

/** Compiles a `metav1.LabelSelector`: an empty selector matches everything, a null one nothing. */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelMatcher {
  const reqs = labelSelectorRequirements(sel);
  if (reqs === null) return () => false;
  if (reqs.length === 0) return () => true;
  return (labels) => matchesRequirements(reqs, labels);
}

/** One requirement as `Requirement.String()` prints it (set values sorted). */
export function requirementToString(r: LabelRequirement): string {
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/** Requirements joined as `Selector.String()` does (`a=b,c in (d,e)`). */
export function requirementsToString(reqs: readonly LabelRequirement[]): string {
  return reqs.map(requirementToString).join(',');
}

/**
 * The canonical string of a `metav1.LabelSelector` (`LabelSelectorAsSelector(sel).String()`):
 * `""` for both an empty and a null selector.
 * @throws ApiError 400 when the selector is invalid.
 */
export function labelSelectorToString(sel: LabelSelectorObject | null | undefined): string {
  return requirementsToString(labelSelectorRequirements(sel) ?? []);
}

/** `metav1.FormatLabelSelector`, as printers show selectors: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  try {
    return labelSelectorToString(sel) || '<none>';
  } catch {
    return '<error>';
  }
}

/** `labels.FormatLabels`: `k=v` pairs sorted by key, or `<none>`. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(labels ?? {})[k]}`).join(',');
}
