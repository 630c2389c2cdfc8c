/**
 * The OpenAPI documents against the real kubectl (1.32 and 1.35): a tiny HTTP server serves just
 * enough discovery plus `/openapi/v2` and `/openapi/v3...` from this module, and kubectl must
 * explain and validate (on `apply --dry-run=client --validate=strict`) through them.
 *
 * First with the Argo CD Application CRD and two core kinds; then with every CRD of the Argo
 * corpus, so that kubectl's strict v2 parser (kube-openapi `proto.NewOpenAPIData`) has to accept
 * every converted schema and its client-side validation has to pass the corpus examples.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import type { JsonObject, JsonValue, ResourceType, StructuralSchema } from '../objects.js';
import {
  acceptsOpenApiV2Protobuf,
  etagOf,
  OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
  OPENAPI_V2_PROTOBUF_MEDIA_TYPE,
  openapiV2Document,
  openapiV2Protobuf,
} from './v2.js';
import { openapiV3GroupVersionJson, openapiV3Root } from './v3.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const KUBECTLS = ['1.32', '1.35']
  .map((v) => ({ version: v, bin: path.join(repoRoot, `.tools/kubectl-${v}/kubectl`) }))
  .filter((k) => existsSync(k.bin));
const CORPUS = '/work/shared/corpus';
const TOKEN = 'argosy-openapi-test-token';
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

// ---- resource types ----

interface Crd {
  kind: string;
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema: StructuralSchema };
      subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string } };
    }[];
  };
}

/** The ResourceTypes a CRD serves, derived by hand the way the CRD controller will. */
function crdTypes(crd: Crd): ResourceType[] {
  const { group, names, scope, versions } = crd.spec;
  const storage = versions.find((v) => v.storage)?.name ?? versions[0].name;
  return versions
    .filter((v) => v.served)
    .map((v) => ({
      group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: scope === 'Namespaced',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: ALL_VERBS,
      subresources: { status: v.subresources?.status !== undefined, scale: v.subresources?.scale },
      storageVersion: storage,
      schema: v.schema?.openAPIV3Schema,
      custom: true,
    }));
}

function readCrd(file: string): Crd {
  return parseYaml(readFileSync(file, 'utf8')) as Crd;
}

function corpusCrdFiles(): string[] {
  const files: string[] = [];
  for (const project of readdirSync(CORPUS)) {
    const dir = path.join(CORPUS, project, 'crds');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.yaml') && f !== 'kustomization.yaml') files.push(path.join(dir, f));
  }
  return files;
}

function coreType(kind: string, plural: string, namespaced: boolean, shortNames: string[]): ResourceType {
  return {
    group: '',
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    categories: [],
    verbs: namespaced ? ALL_VERBS : ALL_VERBS.filter((v) => v !== 'deletecollection'),
    subresources: namespaced ? {} : { status: true },
    storageVersion: 'v1',
    custom: false,
  };
}

const CORE_TYPES = [coreType('Namespace', 'namespaces', false, ['ns']), coreType('ConfigMap', 'configmaps', true, ['cm'])];

// ---- the test server ----

/** How the test server behaves: `v3: false` makes kubectl fall back to the v2 document. */
interface Mode {
  v3: boolean;
  /** Drop `fieldValidation` from v2 PATCH operations, so kubectl validates client-side from v2. */
  v2WithoutFieldValidation: boolean;
}

interface Logged {
  method: string;
  url: string;
  accept: string;
}

function stripFieldValidation(doc: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(doc)) as JsonObject;
  const paths = copy.paths as Record<string, Record<string, JsonValue>>;
  for (const item of Object.values(paths)) {
    const patch = item.patch as JsonObject | undefined;
    if (patch && Array.isArray(patch.parameters)) {
      patch.parameters = patch.parameters.filter((p) => (p as JsonObject).name !== 'fieldValidation');
    }
  }
  return copy;
}

function apiResource(t: ResourceType): JsonObject {
  return {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    shortNames: t.shortNames,
    storageVersionHash: etagOf(`${t.group}/${t.version}/${t.plural}`).slice(0, 12),
  };
}

function startServer(types: ResourceType[], mode: Mode, log: Logged[]): Promise<Server> {
  const v2 = openapiV2Document(types, { version: 'v1.32.3' });
  const v2Stripped = stripFieldValidation(v2);
  const v2Bytes = openapiV2Protobuf(v2);
  const v2StrippedBytes = openapiV2Protobuf(v2Stripped);
  const groups = new Map<string, ResourceType[]>();
  for (const t of types) {
    if (t.group === '') continue;
    const list = groups.get(t.group) ?? [];
    list.push(t);
    groups.set(t.group, list);
  }

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: string | Uint8Array, type: string): void => {
    const etag = `"${etagOf(body)}"`;
    if (status === 200 && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag });
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': type, ETag: etag, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const json = (req: IncomingMessage, res: ServerResponse, body: JsonValue, status = 200): void =>
    send(req, res, status, JSON.stringify(body), 'application/json');
  const failure = (req: IncomingMessage, res: ServerResponse, code: number, reason: string, message: string, details?: JsonObject): void =>
    json(req, res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code }, code);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    log.push({ method: req.method ?? '', url: req.url ?? '', accept: req.headers.accept ?? '' });
    // client-go attaches kubeconfig credentials only to TLS transports, so over plain http kubectl
    // sends no Authorization header at all; a wrong one is still refused.
    const auth = req.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${TOKEN}`) {
      failure(req, res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const p = url.pathname;
    const gvMatch = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
    if (p === '/version') {
      json(req, res, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.3',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2025-01-01T00:00:00Z',
        goVersion: 'go1.23.6',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    } else if (p === '/api') {
      json(req, res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    } else if (p === '/api/v1') {
      json(req, res, { kind: 'APIResourceList', groupVersion: 'v1', resources: types.filter((t) => t.group === '').map(apiResource) });
    } else if (p === '/apis') {
      const list = [...groups].map(([name, ts]) => {
        const versions = [...new Set(ts.map((t) => t.version))].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
        return { name, versions, preferredVersion: versions[0] };
      });
      json(req, res, { kind: 'APIGroupList', apiVersion: 'v1', groups: list });
    } else if (gvMatch && groups.has(gvMatch[1])) {
      const [, group, version] = gvMatch;
      const resources = (groups.get(group) ?? []).filter((t) => t.version === version).map(apiResource);
      json(req, res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources });
    } else if (p === '/openapi/v2') {
      if (acceptsOpenApiV2Protobuf(req.headers.accept)) {
        send(req, res, 200, mode.v2WithoutFieldValidation ? v2StrippedBytes : v2Bytes, OPENAPI_V2_PROTOBUF_CONTENT_TYPE);
      } else {
        json(req, res, mode.v2WithoutFieldValidation ? v2Stripped : v2);
      }
    } else if (p === '/openapi/v3' && mode.v3) {
      json(req, res, openapiV3Root(types));
    } else if (p.startsWith('/openapi/v3/') && mode.v3) {
      const m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
      if (!m) failure(req, res, 404, 'NotFound', 'the server could not find the requested resource');
      else send(req, res, 200, openapiV3GroupVersionJson(m[1] ? '' : m[2], m[1] ?? m[3], types), 'application/json');
    } else {
      // Any single object: not found, as kubectl apply expects before it creates (here: dry-run).
      const item = /^\/apis?\/(?:([^/]+)\/)?[^/]+\/(?:namespaces\/[^/]+\/)?([^/]+)\/([^/]+)$/.exec(p);
      if (item && req.method === 'GET') {
        const group = item[1] ?? '';
        failure(req, res, 404, 'NotFound', `${item[2]}${group ? `.${group}` : ''} "${item[3]}" not found`, {
          name: item[3],
          group,
          kind: item[2],
        });
      } else {
        failure(req, res, 404, 'NotFound', 'the server could not find the requested resource');
      }
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- kubectl ----

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Harness {
  mode: Mode;
  log: Logged[];
  dir: string;
  run(...args: string[]): Promise<Run>;
  close(): Promise<void>;
}

async function harness(bin: string, version: string, types: ResourceType[], files: Record<string, string>): Promise<Harness> {
  const mode: Mode = { v3: true, v2WithoutFieldValidation: false };
  const log: Logged[] = [];
  const server = await startServer(types, mode, log);
  const port = (server.address() as AddressInfo).port;
  const dir = await mkdtemp(path.join(tmpdir(), `argosy-openapi-kubectl-${version}-`));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    stringifyYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'argosy', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'tester', user: { token: TOKEN } }],
      contexts: [{ name: 'argosy', context: { cluster: 'argosy', user: 'tester', namespace: 'default' } }],
      'current-context': 'argosy',
    }),
  );
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: path.join(dir, 'cache'),
  };
  return {
    mode,
    log,
    dir,
    run: (...args) =>
      new Promise((resolve) => {
        execFile(bin, args, { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        });
      }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function summarize(log: Logged[]): string {
  const seen = new Set<string>();
  for (const l of log) seen.add(`${l.method} ${l.url.replace(/hash=[0-9A-F]+/, 'hash=…')}  [Accept: ${l.accept}]`);
  return [...seen].join('\n');
}

const pathOf = (l: Logged): string => new URL(l.url, 'http://localhost').pathname;

// ---- manifests ----

const APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: default
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    targetRevision: HEAD
    path: guestbook
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
    - CreateNamespace=true
`;

const BAD_APPLICATION = APPLICATION.replace('  source:\n', '  sourcee:\n');

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
data:
  mode: fast
binaryData:
  blob: aGVsbG8=
`;

/**
 * Corpus examples a real API server rejects as well; kubectl's v2 validation must reject them too.
 * rollout-linkerd.yaml's AnalysisTemplate has `linkerd.io/inject: {{args.linkerd-enabled}}`, a YAML
 * flow mapping where an annotation's string value belongs.
 */
const INVALID_EXAMPLES = new Map([['argo-rollouts/examples/traffic-management/rollout-linkerd.yaml#AnalysisTemplate/load-test', /annotations\.linkerd\.io\/inject\): invalid type .* got "map", expected "string"/]]);

interface Example {
  /** `project/examples/…/file.yaml#Kind/name` */
  key: string;
  obj: JsonObject;
}

/** Every named argoproj.io object in the corpus examples (apply cannot take generateName). */
function corpusExamples(kinds: Set<string>): Example[] {
  const out: Example[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) {
        for (const doc of parseAllDocuments(readFileSync(full, 'utf8'))) {
          if (doc.errors.length) continue;
          const obj = doc.toJSON() as JsonValue;
          if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
          const meta = obj.metadata as JsonObject | undefined;
          const [group] = String(obj.apiVersion ?? '').split('/');
          if (group === 'argoproj.io' && kinds.has(String(obj.kind)) && typeof meta?.name === 'string') {
            out.push({ key: `${path.relative(CORPUS, full)}#${String(obj.kind)}/${meta.name}`, obj });
          }
        }
      }
    }
  };
  for (const project of readdirSync(CORPUS)) {
    const dir = path.join(CORPUS, project, 'examples');
    if (existsSync(dir)) walk(dir);
  }
  return out;
}

// ---- the tests ----

for (const { version, bin } of KUBECTLS) {
  describe(`kubectl ${version} against the served OpenAPI`, () => {
    let h: Harness;
    const types = [...crdTypes(readCrd(`${CORPUS}/argo-cd/crds/application-crd.yaml`)), ...CORE_TYPES];

    before(async () => {
      h = await harness(bin, version, types, { 'app.yaml': APPLICATION, 'bad-app.yaml': BAD_APPLICATION, 'cm.yaml': CONFIGMAP });
    });
    after(() => h.close());

    test('explain applications.spec.source prints the CRD schema fields', async () => {
      const r = await h.run('explain', 'applications.spec.source');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /GROUP:\s+argoproj\.io/);
      assert.match(r.stdout, /KIND:\s+Application/);
      assert.match(r.stdout, /VERSION:\s+v1alpha1/);
      assert.match(r.stdout, /FIELD: source <Object>/);
      assert.match(r.stdout, /repoURL\s+<string> -required-/);
      assert.match(r.stdout, /targetRevision\s+<string>/);
    });

    test('explain application describes the kind with apiVersion, kind, metadata and spec', async () => {
      const r = await h.run('explain', 'application');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Application is a definition of Application resource/);
      assert.match(r.stdout, /apiVersion\s+<string>/);
      assert.match(r.stdout, /metadata\s+<ObjectMeta> -required-/);
      assert.match(r.stdout, /spec\s+<Object> -required-/);
    });

    test('explain follows the ObjectMeta reference within the document', async () => {
      const r = await h.run('explain', 'applications.metadata.ownerReferences');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /FIELD: ownerReferences <\[\]OwnerReference>/);
      assert.match(r.stdout, /uid\s+<string> -required-/);
    });

    test('explain --recursive walks the whole CRD schema', async () => {
      const r = await h.run('explain', 'applications.spec.syncPolicy', '--recursive');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /automated\s+<Object>/);
      assert.match(r.stdout, /selfHeal\s+<boolean>/);
    });

    test('explain works for a built-in kind in /openapi/v3/api/v1', async () => {
      const r = await h.run('explain', 'configmaps');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /KIND:\s+ConfigMap/);
      assert.match(r.stdout, /metadata\s+<ObjectMeta>/);
    });

    test('explain --output plaintext-openapiv2 decodes the v2 protobuf document', async () => {
      const r = await h.run('explain', 'applications.spec.source', '--output', 'plaintext-openapiv2');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /KIND:\s+Application/);
      assert.match(r.stdout, /repoURL\s+<string> -required-/);
      const meta = await h.run('explain', 'applications.metadata.labels', '--output', 'plaintext-openapiv2');
      assert.equal(meta.code, 0, meta.stderr);
      assert.match(meta.stdout, /FIELD:\s+labels <map\[string\]string>/);
    });

    test('apply --dry-run=client --validate=strict accepts an Application', async () => {
      const r = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, 'app.yaml'));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /application\.argoproj\.io\/guestbook created \(dry run\)/);
      assert.equal(r.stderr, '');
      assert.ok(h.log.some((l) => l.url.startsWith('/openapi/v3/apis/argoproj.io/v1alpha1?hash=')));
    });

    test('apply --dry-run=client --validate=strict accepts a ConfigMap', async () => {
      const r = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, 'cm.yaml'));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /configmap\/settings created \(dry run\)/);
    });

    describe('without /openapi/v3 (kubectl falls back to the v2 protobuf document)', () => {
      before(() => {
        h.mode.v3 = false;
      });
      after(() => {
        h.mode.v3 = true;
        h.mode.v2WithoutFieldValidation = false;
      });

      test('the v2 PATCH operations advertise fieldValidation', async () => {
        const r = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, 'app.yaml'));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /created \(dry run\)/);
      });

      test('client-side validation from v2 passes valid objects and names unknown fields', async () => {
        h.mode.v2WithoutFieldValidation = true;
        await rm(path.join(h.dir, 'cache'), { recursive: true, force: true });
        const good = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, 'app.yaml'));
        assert.equal(good.code, 0, good.stderr);
        assert.match(good.stdout, /application\.argoproj\.io\/guestbook created \(dry run\)/);
        const cm = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, 'cm.yaml'));
        assert.equal(cm.code, 0, cm.stderr);
        const bad = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, 'bad-app.yaml'));
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /unknown field "sourcee" in io\.argoproj\.v1alpha1\.Application\.spec/);
      });
    });

    test('requests kubectl made', (t) => {
      t.diagnostic(`kubectl ${version} requested:\n${summarize(h.log)}`);
      assert.ok(h.log.some((l) => pathOf(l) === '/openapi/v2' && l.accept.includes(OPENAPI_V2_PROTOBUF_MEDIA_TYPE)));
      assert.ok(h.log.some((l) => pathOf(l) === '/openapi/v3'));
      assert.ok(h.log.some((l) => pathOf(l) === '/openapi/v3/api/v1'));
    });
  });
}

describe('every CRD of the Argo corpus', () => {
  let types: ResourceType[] = [];
  let examples: Example[] = [];
  let invalid: Example[] = [];

  before(() => {
    types = [...corpusCrdFiles().flatMap((f) => crdTypes(readCrd(f))), ...CORE_TYPES];
    const all = corpusExamples(new Set(types.filter((t) => t.custom).map((t) => t.kind)));
    examples = all.filter((e) => !INVALID_EXAMPLES.has(e.key));
    invalid = all.filter((e) => INVALID_EXAMPLES.has(e.key));
  });

  test('the corpus is there', () => {
    assert.ok(types.length >= 19, `found ${types.length} types`);
    assert.ok(examples.length >= 20, `found ${examples.length} named examples`);
    assert.equal(invalid.length, INVALID_EXAMPLES.size);
  });

  for (const { version, bin } of KUBECTLS) {
    describe(`kubectl ${version}`, () => {
      let h: Harness;
      before(async () => {
        const files: Record<string, string> = { 'examples.yaml': examples.map((e) => stringifyYaml(e.obj)).join('---\n') };
        for (const [i, e] of invalid.entries()) files[`invalid-${i}.yaml`] = stringifyYaml(e.obj);
        h = await harness(bin, version, types, files);
      });
      after(() => h.close());

      test('parses the whole v2 document (kube-openapi NewOpenAPIData over every definition)', async () => {
        const r = await h.run('explain', 'rollouts.spec.strategy.canary', '--output', 'plaintext-openapiv2');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /steps\s+<\[\]Object>/);
      });

      test('explains deep into the v3 schemas', async () => {
        const r = await h.run('explain', 'workflows.spec.templates.container.resources');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /limits\s+<map\[string\]/);
        const scale = await h.run('explain', 'clusterworkflowtemplates.spec.entrypoint');
        assert.equal(scale.code, 0, scale.stderr);
      });

      test('client-side v2 validation accepts every valid example object and rejects the invalid one', async () => {
        h.mode.v3 = false;
        h.mode.v2WithoutFieldValidation = true;
        try {
          const r = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, 'examples.yaml'));
          assert.equal(r.code, 0, r.stderr);
          assert.equal((r.stdout.match(/created \(dry run\)/g) ?? []).length, examples.length, r.stdout);
          for (const [i, e] of invalid.entries()) {
            const bad = await h.run('apply', '--dry-run=client', '--validate=strict', '-f', path.join(h.dir, `invalid-${i}.yaml`));
            assert.notEqual(bad.code, 0);
            assert.match(bad.stderr, INVALID_EXAMPLES.get(e.key) ?? /^$/);
          }
        } finally {
          h.mode.v3 = true;
          h.mode.v2WithoutFieldValidation = false;
        }
      });
    });
  }
});

test('kubectl binaries are present', () => {
  assert.equal(KUBECTLS.length, 2, 'expected .tools/kubectl-1.32 and .tools/kubectl-1.35');
});
