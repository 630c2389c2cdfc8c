import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import {
  compileLabelSelector,
  formatLabels,
  formatLabelSelector,
  labelSelectorFromObject,
  labelSelectorToString,
  parseLabelSelector,
  requirementsToString,
  SelectorSyntaxError,
} from './label-selector.js';

const NAME_PART_REGEX =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function parseError(selector: string): SelectorSyntaxError {
  try {
    parseLabelSelector(selector);
  } catch (e) {
    assert.ok(e instanceof SelectorSyntaxError, `expected a SelectorSyntaxError for ${JSON.stringify(selector)}`);
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e;
  }
  assert.fail(`${JSON.stringify(selector)} parsed`);
}

test('a missing operator is reported with the token found and its position', () => {
  const e = parseError('app web');
  assert.equal(e.message, "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(e.position, 4);
});

test('an invalid key reads exactly like kube-apiserver, <nil> path included', () => {
  const e = parseError('app:monolith');
  assert.equal(e.message, `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART_REGEX}`);
  assert.equal(e.position, 0);
});

test('a bad key prefix names the prefix part', () => {
  const e = parseError('tier=db,app.kubernetes_io/name=x');
  assert.equal(
    e.message,
    "unable to parse requirement: <nil>: Invalid value: \"app.kubernetes_io/name\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  );
  assert.equal(e.position, 8);
});

test('a key name over 63 characters is rejected', () => {
  const e = parseError(`${'k'.repeat(64)}=v`);
  assert.match(e.message, /name part must be no more than 63 characters/);
});

test('an invalid value names the value index and key', () => {
  const e = parseError('app=a/b');
  assert.match(e.message, /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "a\/b": a valid label must be an empty string/);
});

test('gt and lt need an integer', () => {
  const e = parseError('replicas>many');
  assert.equal(e.message, `unable to parse requirement: values[0]: Invalid value: "many": for 'Gt', 'Lt' operators, the value must be an integer`);
});

test('structural errors say what was found and where', () => {
  const cases: [string, string, number][] = [
    ['a=b,', "found '', expected: identifier after ','", 4],
    [',a', "found ',', expected: !, identifier, or 'end of string'", 0],
    ['a=b c', "found 'c', expected: ',' or 'end of string'", 4],
    ['a in b', "unable to parse requirement: found 'b' expected: '('", 5],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'", 7],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'", 8],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier", 6],
    ['a==(', "unable to parse requirement: found '(', expected: identifier", 3],
    ['!a=b', "found '=', expected: ',' or 'end of string'", 2],
    ['!', "unable to parse requirement: found '', expected: identifier", 1],
  ];
  for (const [selector, message, position] of cases) {
    const e = parseError(selector);
    assert.equal(e.message, message, selector);
    assert.equal(e.position, position, selector);
  }
});

test('equality, inequality and existence requirements match like Kubernetes', () => {
  const m = compileLabelSelector('app=web, tier==front,env!=prod,canary,!legacy');
  assert.equal(m({ app: 'web', tier: 'front', env: 'dev', canary: '' }), true);
  assert.equal(m({ app: 'web', tier: 'front', canary: 'x' }), true, 'a missing key satisfies !=');
  assert.equal(m({ app: 'web', tier: 'front', env: 'prod', canary: '' }), false);
  assert.equal(m({ app: 'web', tier: 'front', canary: '', legacy: 'yes' }), false);
  assert.equal(m({ app: 'web', tier: 'front' }), false, 'canary must exist');
  assert.equal(m(undefined), false);
});

test('set-based requirements: in, notin, empty sets and keywords as values', () => {
  const inSet = compileLabelSelector('env in (prod, staging)');
  assert.equal(inSet({ env: 'staging' }), true);
  assert.equal(inSet({ env: 'dev' }), false);
  assert.equal(inSet({}), false);
  const notIn = compileLabelSelector('env notin (prod)');
  assert.equal(notIn({ env: 'dev' }), true);
  assert.equal(notIn({}), true, 'notin matches objects without the key');
  assert.equal(notIn({ env: 'prod' }), false);
  const empty = compileLabelSelector('x in ()');
  assert.equal(empty({ x: '' }), true);
  assert.equal(empty({ x: 'a' }), false);
  const keywords = compileLabelSelector('in in (in,notin)');
  assert.equal(keywords({ in: 'notin' }), true);
  assert.deepEqual(parseLabelSelector('x in (b,,a)')[0].values, ['', 'a', 'b']);
});

test('gt and lt compare as 64-bit integers', () => {
  const m = compileLabelSelector('replicas>2,replicas<10');
  assert.equal(m({ replicas: '3' }), true);
  assert.equal(m({ replicas: '2' }), false);
  assert.equal(m({ replicas: '10' }), false);
  assert.equal(m({ replicas: 'three' }), false);
  assert.equal(m({}), false);
  assert.equal(compileLabelSelector('n>9223372036854775806')({ n: '9223372036854775807' }), true);
});

test('an empty or blank selector selects everything', () => {
  assert.deepEqual(parseLabelSelector(''), []);
  assert.deepEqual(parseLabelSelector(' \t '), []);
  assert.equal(compileLabelSelector('')(undefined), true);
});

test('parsed selectors print sorted by key (ignoring the ! of does-not-exist) with sorted set values', () => {
  assert.equal(requirementsToString(parseLabelSelector('tier in (web,api), app, !old, n>1, x!=y')), 'app,n>1,!old,tier in (api,web),x!=y');
});

test('metav1.LabelSelector: null selects nothing, empty selects everything', () => {
  assert.equal(labelSelectorFromObject(null)({ a: 'b' }), false);
  assert.equal(labelSelectorFromObject(undefined)({}), false);
  assert.equal(labelSelectorFromObject({})({ a: 'b' }), true);
  assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] })(undefined), true);
});

test('metav1.LabelSelector: matchLabels and every expression operator', () => {
  const m = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'staging'] },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'team', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(m({ app: 'web', env: 'prod', team: 'a' }), true);
  assert.equal(m({ app: 'web', env: 'prod', team: 'a', tier: 'db' }), false);
  assert.equal(m({ app: 'web', env: 'prod', team: 'a', legacy: '1' }), false);
  assert.equal(m({ app: 'web', env: 'prod' }), false);
  assert.equal(m({ app: 'api', env: 'prod', team: 'a' }), false);
});

test('metav1.LabelSelector: invalid operators and empty In sets are 400s worded like Kubernetes', () => {
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === '"Gt" is not a valid label selector operator',
  );
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    (e: unknown) => e instanceof ApiError && e.message === "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
  );
  assert.throws(
    () => labelSelectorFromObject({ matchLabels: { 'bad key': 'v' } }),
    (e: unknown) => e instanceof ApiError && e.message.startsWith('key: Invalid value: "bad key": name part must consist'),
  );
});

test('selector objects print canonically and format like the printers', () => {
  const sel = { matchLabels: { tier: 'web', app: 'shop' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['b', 'a'] }] };
  assert.equal(labelSelectorToString(sel), 'app=shop,env in (a,b),tier=web');
  assert.equal(labelSelectorToString({}), '');
  assert.equal(labelSelectorToString(null), '');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
});

test('whitespace around tokens is ignored and an empty exact value matches an empty label', () => {
  const m = compileLabelSelector('  app  =  web  ,\ttier  in  ( front , back )  , empty=  ');
  assert.equal(m({ app: 'web', tier: 'back', empty: '' }), true);
  assert.equal(m({ app: 'web', tier: 'back', empty: 'x' }), false);
  assert.deepEqual(parseLabelSelector('a in (b,)')[0].values, ['', 'b']);
});
