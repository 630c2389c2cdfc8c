/**
 * Conformance against Argo's published CRDs and examples (the corpus in ../shared/corpus, read in
 * place): every CRD is accepted and served, and every Argo resource of a served kind validates
 * after the apiserver's pruning and defaulting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCollection, isMap, parseAllDocuments, visit, type Document } from 'yaml';
import type { FieldCause, KubeObject, ResourceType } from '../objects.js';
import { resourceTypesFromCrd } from './crd-resource-types.js';
import { validateCrd } from './crd-validate.js';
import { applySchemaDefaults } from './schema-defaults.js';
import { pruneUnknownFields } from './schema-prune.js';
import { validateBySchema } from './schema-validate.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));

function walk(dir: string, into: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, into);
    else if (/\.(ya?ml|json)$/.test(e.name)) into.push(p);
  }
  return into;
}

function isCrdPath(p: string): boolean {
  return relative(CORPUS, p).split('/').includes('crds');
}

function parseDocs(text: string): Document[] {
  // uniqueKeys off: only a speed-up for the multi-megabyte CRDs.
  return parseAllDocuments(text, { uniqueKeys: false, merge: true }) as Document[];
}

const FLOW_INDENT = /Flow sequence in block collection must be sufficiently indented/;

/**
 * Manifests as kubectl reads them. Go's YAML parser accepts a multi-line quoted scalar in a flow
 * sequence whose closing line (`  ']`) is not indented past its key; the yaml package rejects it.
 * Indenting that line further is value-preserving (line folding drops a continuation line's leading
 * spaces), so the file is retried with it indented — four Argo Workflows examples are written so.
 */
function parseManifests(text: string): Document[] {
  let source = text;
  for (let attempt = 0; attempt < 20; attempt++) {
    const docs = parseDocs(source);
    const bad = docs.flatMap((d) => d.errors).find((e) => e.code === 'BAD_INDENT' && FLOW_INDENT.test(e.message));
    if (!bad?.linePos) return docs;
    const lines = source.split('\n');
    lines[bad.linePos[0].line - 1] = `  ${lines[bad.linePos[0].line - 1]}`;
    source = lines.join('\n');
  }
  return parseDocs(source);
}

/** kubectl's YAML-to-JSON conversion rejects mappings used as keys ("invalid map key"). */
function hasCollectionKey(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * The documents of a (multi-megabyte) CRD file as JSON. Parsing the YAML dominates this test's time, so
 * the JSON is cached outside the repository, keyed by the file's path, size and mtime.
 */
function crdFileDocuments(file: string): unknown[] {
  const st = statSync(file);
  const key = createHash('sha1').update(`${file}\0${st.size}\0${st.mtimeMs}\0yaml-core-1`).digest('hex');
  const dir = join(tmpdir(), 'argosy-corpus-json');
  const cached = join(dir, `${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8')) as unknown[];
  } catch {
    // not cached yet
  }
  const docs = parseDocs(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(cached, JSON.stringify(docs));
  } catch {
    // the cache is only a speed-up
  }
  return docs;
}

interface Corpus {
  crds: { file: string; crd: KubeObject }[];
  types: Map<string, ResourceType>;
  groups: string[];
}

let corpus: Corpus | undefined;

function loadCorpus(): Corpus {
  if (corpus) return corpus;
  assert.ok(existsSync(CORPUS), `conformance corpus not found at ${CORPUS}`);
  const crds: Corpus['crds'] = [];
  for (const file of walk(CORPUS).filter(isCrdPath)) {
    for (const o of crdFileDocuments(file) as (KubeObject | null)[]) {
      if (o?.kind === 'CustomResourceDefinition') crds.push({ file: relative(CORPUS, file), crd: o });
    }
  }
  const types = new Map<string, ResourceType>();
  for (const { crd } of crds) {
    try {
      for (const t of resourceTypesFromCrd(crd)) types.set(`${t.group}/${t.version}/${t.kind}`, t);
    } catch {
      // reported by the CRD test
    }
  }
  const groups = [...new Set([...types.values()].map((t) => t.group))];
  corpus = { crds, types, groups };
  return corpus;
}

interface Checked {
  file: string;
  name: string;
  kind: string;
  errors: FieldCause[];
  pruned: string[];
}

/** Every document of a served kind outside the crds folders, pruned, defaulted and validated as the apiserver does. */
function checkResources(): { checked: Checked[]; unconvertible: string[]; unparsable: string[] } {
  const { types, groups } = loadCorpus();
  const checked: Checked[] = [];
  const unconvertible: string[] = [];
  const unparsable: string[] = [];
  // Only files that mention an apiVersion of a served group are worth parsing.
  const escaped = groups.map((g) => g.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const servedApiVersion = new RegExp(`["']?apiVersion["']?\\s*:\\s*["']?(?:${escaped.join('|')})/`);
  for (const file of walk(CORPUS)) {
    if (isCrdPath(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (!servedApiVersion.test(text)) continue;
    const docs = parseManifests(text);
    if (docs.some((d) => d.errors.length > 0)) unparsable.push(relative(CORPUS, file));
    for (const doc of docs) {
      if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
      const type = types.get(`${String(doc.get('apiVersion'))}/${String(doc.get('kind'))}`);
      if (!type?.schema) continue;
      const meta = (key: string): unknown => doc.getIn(['metadata', key]);
      const where = `${relative(CORPUS, file)} ${type.kind}/${String(meta('name') ?? meta('generateName') ?? '')}`;
      if (hasCollectionKey(doc)) {
        unconvertible.push(where);
        continue;
      }
      const o = doc.toJS() as KubeObject;
      const { value, pruned } = pruneUnknownFields(o, type.schema);
      const errors = validateBySchema(applySchemaDefaults(value, type.schema), type.schema);
      checked.push({ file: relative(CORPUS, file), name: where, kind: String(o.kind), errors, pruned });
    }
  }
  return { checked, unconvertible, unparsable };
}

let resources: ReturnType<typeof checkResources> | undefined;
function loadResources(): ReturnType<typeof checkResources> {
  resources ??= checkResources();
  return resources;
}

const LIVE_TESTDATA = /^argo-cd\/resource_customizations\/.*\/testdata\//;

function describe(c: Checked): string {
  return [`${c.name}:`, ...c.errors.map((e) => `  ${e.field}: ${e.message}`), ...c.pruned.map((p) => `  unknown field "${p}"`)].join('\n');
}

test('every CRD in the corpus is a valid v1 CustomResourceDefinition and is served', (t) => {
  const { crds } = loadCorpus();
  t.diagnostic(`CRDs: ${crds.length}`);
  assert.ok(crds.length >= 19, `expected the 19 Argo CRDs, found ${crds.length}`);
  for (const { file, crd } of crds) {
    const causes = validateCrd(crd);
    assert.deepEqual(causes, [], `${file} (${crd.metadata.name}) is rejected:\n${causes.map((c) => `${c.field}: ${c.message}`).join('\n')}`);
    const types = resourceTypesFromCrd(crd);
    const versions = (crd.spec as { versions: { name: string; served?: boolean; storage?: boolean }[] }).versions;
    assert.deepEqual(
      types.map((x) => x.version).sort(),
      versions.filter((v) => v.served).map((v) => v.name).sort(),
      `${file}: one resource type per served version`,
    );
    for (const type of types) {
      assert.ok(type.schema, `${file} ${type.version}: no schema`);
      assert.equal(type.custom, true);
      assert.deepEqual([type.storageVersion], versions.filter((v) => v.storage).map((v) => v.name), `${file}: storage version`);
    }
  }
});

test('every Argo example of a served kind validates after pruning and defaulting, with no unknown fields', (t) => {
  const { checked, unconvertible, unparsable } = loadResources();
  // Helm chart templates (`{{ ... }}` placeholders) are not manifests until rendered.
  t.diagnostic(`Helm templates skipped: ${unparsable.join(', ') || 'none'}`);
  assert.deepEqual(
    unparsable.filter((f) => !f.includes('/templates/')),
    [],
    'only Helm templates may fail to parse',
  );
  const examples = checked.filter((c) => !LIVE_TESTDATA.test(c.file));
  const failing = examples.filter((c) => c.errors.length > 0 || c.pruned.length > 0);
  t.diagnostic(`examples checked: ${examples.length} (${new Set(examples.map((c) => c.kind)).size} kinds)`);
  // Not a validator gap: this file has `linkerd.io/inject: {{args.linkerd-enabled}}` unquoted, which YAML
  // reads as a mapping used as a key; kubectl fails on it ("invalid map key") before any request is sent.
  const expectedUnconvertible = ['argo-rollouts/examples/traffic-management/rollout-linkerd.yaml AnalysisTemplate/load-test'];
  t.diagnostic(`not convertible to JSON by kubectl (skipped): ${unconvertible.filter((u) => !LIVE_TESTDATA.test(u)).join(', ') || 'none'}`);
  assert.deepEqual(unconvertible.filter((u) => !LIVE_TESTDATA.test(u)), expectedUnconvertible);
  assert.ok(examples.length >= 300, `expected the Argo examples, found ${examples.length}`);
  assert.deepEqual(failing.map(describe), []);
});

/**
 * argo-cd's resource_customizations testdata are `kubectl get -o yaml` dumps (some hand-edited) fed to
 * its Lua health checks. Many predate the current CRDs, so fields since renamed are pruned (a real
 * apiserver drops them too), and a few no longer validate. Each of those is listed with the reason;
 * every one is a change of Argo's API, not a validator gap.
 */
const STALE_TESTDATA: Record<string, string> = {
  'AnalysisRun/actions/testdata/failedAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/actions/testdata/runningAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/actions/testdata/runningAnalysisRun_terminated.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/errorAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/errorAnalysisRunWithStatusMessage.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/failedAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/failedAnalysisRunWithStatusMessage.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/inconclusiveAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/inconclusiveAnalysisRunWithStatusMessage.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/noStatusAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/runningAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/successfulAnalysisRun.yaml': 'pre-v0.4 spec.analysisSpec; spec.metrics is required now',
  'AnalysisRun/testdata/pendingAnalysisRun.yaml': 'metrics[].interval as integer seconds; it is a duration string now',
  'CronWorkflow/actions/testdata/cronworkflow-without-label.yaml': 'spec.schedule (singular); spec.schedules is required now',
  'CronWorkflow/actions/testdata/cronworkflow.yaml': 'spec.schedule (singular); spec.schedules is required now',
  'CronWorkflow/testdata/degradedCronWorkflowWithSpecError.yaml': 'hand-written: no spec.schedules nor spec.workflowSpec',
  'CronWorkflow/testdata/degradedCronWorkflowWithSubmissionError.yaml': 'hand-written: no spec.schedules nor spec.workflowSpec',
  'CronWorkflow/testdata/healthyCronWorkflow.yaml': 'hand-written: no spec.schedules nor spec.workflowSpec',
  'CronWorkflow/testdata/noConditionsCronWorkflow.yaml': 'hand-written: no spec.schedules nor spec.workflowSpec',
  'CronWorkflow/testdata/withConditionButHealthyCronWorkflow.yaml': 'hand-written: no spec.schedules nor spec.workflowSpec',
  'Experiment/testdata/errorExperiment.yaml': 'old status.conditions[] without status',
  'Experiment/testdata/failedExperiment.yaml': 'spec.duration as integer seconds (a duration string now); old status.conditions[]',
  'Experiment/testdata/noStatusExperiment.yaml': 'spec.duration as integer seconds; it is a duration string now',
  'Experiment/testdata/pendingExperiment.yaml': 'spec.duration as integer seconds (a duration string now); old status.conditions[]',
  'Experiment/testdata/runningExperiment.yaml': 'spec.duration as integer seconds (a duration string now); old status.conditions[]',
  'Experiment/testdata/successfulExperiment.yaml': 'spec.duration as integer seconds (a duration string now); old status.conditions[]',
  'Rollout/testdata/degraded_statusPhaseMessage.yaml': 'hand-written status.conditions: {} (a list in every Rollout version)',
};

test('argo-cd health-check testdata of served kinds validate, except dumps that predate the current Argo APIs', (t) => {
  const { checked } = loadResources();
  const live = checked.filter((c) => LIVE_TESTDATA.test(c.file));
  const key = (c: Checked): string => c.file.replace(/^argo-cd\/resource_customizations\/argoproj\.io\//, '');
  const invalid = live.filter((c) => c.errors.length > 0);
  const prunedOnly = live.filter((c) => c.errors.length === 0 && c.pruned.length > 0);
  t.diagnostic(`testdata objects checked: ${live.length}; valid: ${live.length - invalid.length} (${prunedOnly.length} with fields since removed from the CRDs, pruned); stale: ${invalid.length}`);
  assert.ok(live.length > 50, `expected the argo-cd testdata, found ${live.length}`);
  assert.deepEqual(
    invalid.map(key).sort(),
    Object.keys(STALE_TESTDATA).sort(),
    `unexpected validation failures:\n${invalid
      .filter((c) => !(key(c) in STALE_TESTDATA))
      .map(describe)
      .join('\n')}`,
  );
});
