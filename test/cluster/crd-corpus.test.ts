/**
 * Conformance through the API: every CRD in Argo's corpus (the crds folders under ../shared/corpus) installs over
 * HTTP and is served, and every corpus example of those kinds is accepted by the server (validated,
 * defaulted and stored) — as `kubectl apply` would send it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCollection, parseAllDocuments, visit, type Document } from 'yaml';
import { startTestCluster, eventually, type TestCluster } from '../support/in-process-cluster.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; generateName?: string; namespace?: string };
  spec?: { group?: string; scope?: string; names?: { plural?: string; kind?: string }; versions?: { name: string; served?: boolean }[] };
}

function walk(dir: string, into: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, into);
    else if (/\.ya?ml$/.test(e.name)) into.push(p);
  }
  return into;
}

/** kubectl's YAML-to-JSON conversion refuses a mapping used as a key ("invalid map key"). */
function hasCollectionKey(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Pair(_, pair) {
      if (!isCollection(pair.key)) return undefined;
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/** The documents of a file, or undefined when kubectl could not read it either (Helm templates, broken YAML). */
function manifests(file: string): Manifest[] | undefined {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: false, version: '1.2' }) as Document[];
  if (docs.some((d) => d.errors.length > 0 || hasCollectionKey(d))) return undefined;
  try {
    return docs.map((d) => d.toJS() as Manifest).filter((m) => m && typeof m === 'object' && m.kind);
  } catch {
    return undefined;
  }
}

function isCrdFile(file: string): boolean {
  return relative(CORPUS, file).split('/').includes('crds');
}

/**
 * Published examples a real cluster rejects too, each with the reason. The server must reject them
 * (the test checks it does), not silently accept them.
 */
const INVALID_EXAMPLES: Record<string, RegExp> = {
  // `generateName` is indented under `labels`, so it is a label whose value ends in '-'.
  'argo-workflows/examples/fun-with-gifs.yaml': /metadata\.labels: Invalid value: "fun-with-gifs-"/,
};

let t: TestCluster;
before(async () => {
  t = await startTestCluster();
});
after(async () => t.dispose());

test('every corpus CRD installs and serves, and every corpus example of those kinds is accepted', async () => {
  const files = walk(CORPUS);
  const crds: Manifest[] = [];
  const examples: { file: string; m: Manifest }[] = [];
  const unparsable: string[] = [];
  for (const file of files) {
    if (file.includes('/templates/')) continue; // Helm templates are not manifests until rendered
    // Health-check test data are object dumps from older Argo versions, not published examples.
    if (file.includes('/resource_customizations/') && !isCrdFile(file)) continue;
    const docs = manifests(file);
    if (!docs) {
      unparsable.push(relative(CORPUS, file));
      continue;
    }
    for (const m of docs) {
      if (m.kind === 'CustomResourceDefinition' && isCrdFile(join(CORPUS, file))) crds.push(m);
      else examples.push({ file: relative(CORPUS, file), m });
    }
  }
  assert.ok(crds.length >= 19, `the corpus holds Argo's CRDs (found ${crds.length})`);

  const served = new Map<string, { plural: string; namespaced: boolean }>();
  for (const crd of crds) {
    const res = await t.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    assert.equal(res.status, 201, `${crd.metadata?.name}: ${res.text.slice(0, 300)}`);
    const spec = crd.spec!;
    for (const v of spec.versions ?? []) {
      if (v.served === false) continue;
      served.set(`${spec.group}/${v.name}/${spec.names!.kind}`, { plural: spec.names!.plural!, namespaced: spec.scope === 'Namespaced' });
    }
  }
  for (const [gvk, { plural, namespaced }] of served) {
    const [group, version] = gvk.split('/');
    const path = namespaced ? `/apis/${group}/${version}/namespaces/default/${plural}` : `/apis/${group}/${version}/${plural}`;
    await eventually(`${gvk} served`, async () => (await t.api.get(path)).status === 200, 2000);
  }

  const ours = examples.filter(({ m }) => served.has(`${m.apiVersion}/${m.kind}`));
  const rejected: string[] = [];
  let i = 0;
  for (const { file, m } of ours) {
    // One namespace per example: examples across files reuse names.
    const ns = `ex-${i++}`;
    await t.api.post('/api/v1/namespaces', { metadata: { name: ns } });
    const { plural, namespaced } = served.get(`${m.apiVersion}/${m.kind}`)!;
    const body = { ...m, metadata: { ...m.metadata } };
    delete body.metadata.namespace;
    if (!body.metadata.name && !body.metadata.generateName) body.metadata.generateName = 'example-';
    if (!namespaced && body.metadata.name) body.metadata.name = `${body.metadata.name}-${ns}`;
    const path = namespaced ? `/apis/${m.apiVersion}/namespaces/${ns}/${plural}` : `/apis/${m.apiVersion}/${plural}`;
    const res = await t.api.post(path, body);
    const invalid = INVALID_EXAMPLES[file];
    if (invalid) {
      if (res.status !== 422 || !invalid.test(String((res.body as { message?: string }).message))) rejected.push(`${file}: expected a 422 naming the bad field, got ${res.status} ${res.text.slice(0, 200)}`);
      continue;
    }
    if (res.status !== 201) rejected.push(`${file} (${m.kind} ${m.metadata?.name ?? m.metadata?.generateName}): ${res.status} ${res.text.slice(0, 300)}`);
  }
  process.stdout.write(`# corpus: ${crds.length} CRDs served; ${ours.length - rejected.length}/${ours.length} examples accepted; ${unparsable.length} files not plain YAML: ${unparsable.join(', ')}\n`);
  assert.ok(ours.length > 200, `the corpus has Argo examples of the served kinds (found ${ours.length})`);
  assert.deepEqual(rejected, [], 'the server accepts every Argo example a real cluster accepts');
});
