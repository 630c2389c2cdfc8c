/**
 * kubectl acceptance: the real kubectl 1.32 and 1.35 binaries against `argosy cluster start`, for the
 * everyday workflow — namespaces, apply (client-side three-way merge and server-side apply), get in
 * every output format, label/annotate/patch/scale, diff, watch, wait, delete with each cascade mode,
 * api-resources/explain, and Kubernetes-like errors. Every step is checked against the API too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { ApiClient } from '../support/api-client.js';
import { REPO_ROOT, startClusterProcess, tempDir, type ClusterProcess } from '../support/cluster-process.js';
import { eventually, Kubectl, KUBECTL_VERSIONS, parseTable, sleep, type KubectlResult } from '../support/kubectl.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/kubectl');
const fixture = (name: string): string => path.join(FIXTURES, name);

const CRD_NAME = 'widgets.demo.argosy.io';
const NS = 'demo';
const PATHS = {
  namespace: `/api/v1/namespaces/${NS}`,
  deployment: `/apis/apps/v1/namespaces/${NS}/deployments/web`,
  service: `/api/v1/namespaces/${NS}/services/web`,
  configmaps: `/api/v1/namespaces/${NS}/configmaps`,
  configmap: (name: string) => `/api/v1/namespaces/${NS}/configmaps/${name}`,
  crd: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`,
  widget: (name: string) => `/apis/demo.argosy.io/v1/namespaces/${NS}/widgets/${name}`,
};

interface ManagedField {
  manager: string;
  operation: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion?: boolean;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: ManagedField[];
    ownerReferences?: OwnerRef[];
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec?: {
    replicas?: number;
    color?: string;
    size?: number;
    selector?: unknown;
    ports?: { port: number; targetPort?: number | string; protocol?: string }[];
    template?: { spec: { containers: Container[] } };
  };
  status?: { phase?: string; conditions?: Condition[] };
  data?: Record<string, string>;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function fieldsOf(entry: ManagedField | undefined): string {
  return JSON.stringify(entry?.fieldsV1 ?? {});
}

for (const version of KUBECTL_VERSIONS) {
  describe(`kubectl ${version} against argosy cluster`, () => {
    let cluster: ClusterProcess | undefined;
    let api: ApiClient;
    let kubectl: Kubectl;
    let work: string | undefined;
    let dataDir: string | undefined;
    /** The edited copy of app.yaml (label removed, replicas changed), applied in the three-way merge step. */
    let editedApp: string;

    const get = async (p: string): Promise<Obj> => {
      const res = await api.get<Obj>(p);
      assert.equal(res.status, 200, `GET ${p}: ${res.status} ${res.text}`);
      return res.body;
    };
    const status = async (p: string): Promise<number> => (await api.get(p)).status;
    const createConfigMap = async (body: object): Promise<Obj> => {
      const res = await api.post<Obj>(PATHS.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', ...body });
      assert.equal(res.status, 201, `create configmap: ${res.status} ${res.text}`);
      return res.body;
    };
    const mergePatch = async (p: string, patch: object): Promise<Obj> => {
      const res = await api.patch<Obj>(p, patch, 'application/merge-patch+json');
      assert.equal(res.status, 200, `PATCH ${p}: ${res.status} ${res.text}`);
      return res.body;
    };
    const k = (...args: string[]): Promise<string> => kubectl.ok(args);
    const writeWork = (name: string, text: string): string => {
      const file = path.join(work!, name);
      fs.writeFileSync(file, text);
      return file;
    };

    before(async () => {
      work = tempDir(`kubectl-${version}-work`);
      dataDir = tempDir(`kubectl-${version}-cluster`);
      cluster = await startClusterProcess(dataDir);
      api = new ApiClient(cluster.url, cluster.token, cluster.ca);
      kubectl = new Kubectl(version, cluster.kubeconfig);
      const v = await kubectl.ok(['version', '--client', '-o', 'json']);
      assert.equal((JSON.parse(v) as { clientVersion: { minor: string } }).clientVersion.minor, version.split('.')[1], `the ${version} binary`);
    });

    after(async () => {
      await kubectl?.dispose();
      await cluster?.stop();
      for (const dir of [dataDir, work]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test('create namespace', async () => {
      try {
        const out = await k('create', 'namespace', NS);
        assert.match(out, /^namespace\/demo created$/m);
        const ns = await get(PATHS.namespace);
        assert.equal(ns.kind, 'Namespace');
        assert.equal(ns.metadata.name, NS);
        assert.equal(ns.status?.phase, 'Active');
        assert.equal(parseTable(await k('get', 'ns', NS))[0]?.STATUS, 'Active');
        const again = await kubectl.fails(['create', 'namespace', NS], 1);
        assert.match(again.stderr, /Error from server \(AlreadyExists\): namespaces "demo" already exists/);
      } finally {
        // Whatever happened above, the rest of the suite needs the namespace.
        if ((await status(PATHS.namespace)) === 404) await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
      }
    });

    test('apply a multi-document manifest with a CRD and an instance of it', async () => {
      // The fixture's CRD document is crd.yaml's.
      const appDocs = parseAllDocuments(fs.readFileSync(fixture('app.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
      assert.deepEqual(appDocs.map((d) => d.kind), ['Deployment', 'Service', 'ConfigMap', 'CustomResourceDefinition', 'Widget']);
      assert.deepEqual(appDocs[3], parseYaml(fs.readFileSync(fixture('crd.yaml'), 'utf8')));

      // As in Kubernetes: kubectl maps every document before applying, so the Widget fails on a cluster without its CRD.
      const first = await kubectl.fails(['apply', '-f', fixture('app.yaml')], 1);
      assert.match(first.stderr, /no matches for kind "Widget" in version "demo\.argosy\.io\/v1"/);
      assert.match(first.stderr, /ensure CRDs are installed first/);

      const crdOut = await k('apply', '-f', fixture('crd.yaml'));
      assert.match(crdOut, /^customresourcedefinition\.apiextensions\.k8s\.io\/widgets\.demo\.argosy\.io (created|unchanged|configured)$/m);
      const waited = await k('wait', '--for', 'condition=established', `crd/${CRD_NAME}`, '--timeout=20s');
      assert.match(waited, /customresourcedefinition\.apiextensions\.k8s\.io\/widgets\.demo\.argosy\.io condition met/);
      const crd = await get(PATHS.crd);
      assert.ok(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), `Established: ${JSON.stringify(crd.status)}`);

      const out = await k('apply', '-f', fixture('app.yaml'));
      assert.match(out, /^deployment\.apps\/web (created|unchanged)$/m);
      assert.match(out, /^service\/web (created|unchanged)$/m);
      assert.match(out, /^configmap\/web-config (created|unchanged)$/m);
      assert.match(out, /^customresourcedefinition\.apiextensions\.k8s\.io\/widgets\.demo\.argosy\.io unchanged$/m);
      assert.match(out, /^widget\.demo\.argosy\.io\/w1 created$/m);

      const deploy = await get(PATHS.deployment);
      assert.equal(deploy.spec?.replicas, 2);
      assert.deepEqual(deploy.metadata.labels, { app: 'web', tier: 'frontend' });
      assert.deepEqual(deploy.spec?.template?.spec.containers.map((c) => [c.name, c.image]), [['app', 'nginx:1.27'], ['sidecar', 'busybox:1.36']]);
      assert.ok(deploy.metadata.annotations?.[LAST_APPLIED], 'client-side apply records last-applied-configuration');
      const svc = await get(PATHS.service);
      assert.equal(svc.spec?.ports?.[0]?.port, 80);
      const cm = await get(PATHS.configmap('web-config'));
      assert.deepEqual(cm.data, { greeting: 'hello', mode: 'demo' });
      const w1 = await get(PATHS.widget('w1'));
      assert.equal(w1.kind, 'Widget');
      assert.deepEqual(w1.spec, { color: 'blue', size: 7, replicas: 1 });
    });

    test('edit and apply again: client-side three-way merge', async () => {
      const original = fs.readFileSync(fixture('app.yaml'), 'utf8');
      const edited = original.replace('    app: web\n    tier: frontend\n', '    app: web\n').replace(/^spec:\n {2}replicas: 2$/m, 'spec:\n  replicas: 3');
      assert.match(original, /tier: frontend/);
      assert.doesNotMatch(edited, /tier: frontend/, 'the label was removed from the file');
      assert.match(edited, /^spec:\n {2}replicas: 3$/m, 'replicas were changed');
      editedApp = writeWork('app-edited.yaml', edited);

      const out = await k('apply', '-f', editedApp);
      assert.match(out, /^deployment\.apps\/web configured$/m);
      assert.match(out, /^configmap\/web-config unchanged$/m);
      assert.match(out, /^widget\.demo\.argosy\.io\/w1 unchanged$/m);

      const deploy = await get(PATHS.deployment);
      assert.deepEqual(deploy.metadata.labels, { app: 'web' }, 'the label removed from the file is removed from the object');
      assert.equal(deploy.spec?.replicas, 3);
      const lastApplied = JSON.parse(deploy.metadata.annotations?.[LAST_APPLIED] ?? '{}') as Obj;
      assert.deepEqual(lastApplied.metadata.labels, { app: 'web' });
      assert.equal(lastApplied.spec?.replicas, 3);
      assert.equal(lastApplied.kind, 'Deployment');
      assert.equal(lastApplied.metadata.annotations?.[LAST_APPLIED], undefined, 'last-applied does not contain itself');
    });

    test('apply --server-side: kubectl owns fields, another manager conflicts unless forced', async () => {
      const out = await k('apply', '--server-side', '-f', fixture('ssa.yaml'));
      assert.match(out, /^configmap\/ssa-cm serverside-applied$/m);
      let cm = await get(PATHS.configmap('ssa-cm'));
      assert.deepEqual(cm.data, { owner: 'kubectl', shared: 'one' });
      const kubectlEntry = cm.metadata.managedFields?.find((m) => m.manager === 'kubectl');
      assert.equal(kubectlEntry?.operation, 'Apply', `managedFields: ${JSON.stringify(cm.metadata.managedFields)}`);
      assert.match(fieldsOf(kubectlEntry), /"f:shared"/);
      assert.equal(cm.metadata.annotations?.[LAST_APPLIED], undefined, 'server-side apply does not write last-applied-configuration');

      const conflict = await kubectl.fails(['apply', '--server-side', '--field-manager=other', '-f', fixture('ssa-other.yaml')], 1);
      assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.data\.shared/);
      cm = await get(PATHS.configmap('ssa-cm'));
      assert.equal(cm.data?.shared, 'one', 'a conflicting apply changes nothing');

      const forced = await k('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', fixture('ssa-other.yaml'));
      assert.match(forced, /^configmap\/ssa-cm serverside-applied$/m);
      cm = await get(PATHS.configmap('ssa-cm'));
      assert.deepEqual(cm.data, { owner: 'kubectl', shared: 'two' });
      const other = cm.metadata.managedFields?.find((m) => m.manager === 'other');
      assert.equal(other?.operation, 'Apply');
      assert.match(fieldsOf(other), /"f:shared"/);
      const kubectlNow = cm.metadata.managedFields?.find((m) => m.manager === 'kubectl');
      assert.match(fieldsOf(kubectlNow), /"f:owner"/);
      assert.doesNotMatch(fieldsOf(kubectlNow), /"f:shared"/, 'the forced apply took data.shared away from kubectl');
    });

    test('get as a table shows Kubernetes columns and CRD printer columns', async () => {
      const replicas = (await get(PATHS.deployment)).spec?.replicas;
      const deploy = await k('get', 'deployments', 'web', '-n', NS);
      assert.match(deploy.split('\n')[0], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
      const [row] = parseTable(deploy);
      assert.equal(row.NAME, 'web');
      assert.match(row.READY, new RegExp(`^\\d+/${replicas}$`));
      assert.match(row['UP-TO-DATE'], /^\d+$/);
      assert.match(row.AGE, /^\d+[smh]/);

      const wide = await k('get', 'deploy', '-n', NS, '-o', 'wide');
      assert.match(wide.split('\n')[0], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
      const [wideRow] = parseTable(wide);
      assert.equal(wideRow.CONTAINERS, 'app,sidecar');
      assert.equal(wideRow.IMAGES, 'nginx:1.27,busybox:1.36');
      assert.equal(wideRow.SELECTOR, 'app=web');

      const svc = await k('get', 'svc', 'web', '-n', NS);
      assert.match(svc.split('\n')[0], /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
      const [svcRow] = parseTable(svc);
      assert.equal(svcRow.TYPE, 'ClusterIP');
      assert.equal(svcRow['EXTERNAL-IP'], '<none>');
      assert.equal(svcRow['PORT(S)'], '80/TCP');

      const cms = parseTable(await k('get', 'cm', '-n', NS));
      assert.equal(cms.find((r) => r.NAME === 'web-config')?.DATA, '2');

      for (const name of ['widgets', 'widget', 'wdg', `widgets.demo.argosy.io`]) {
        const out = await k('get', name, '-n', NS);
        assert.match(out.split('\n')[0], /^NAME\s+COLOR\s+REPLICAS\s+PHASE\s+AGE$/, `get ${name}`);
        const w = parseTable(out).find((r) => r.NAME === 'w1');
        assert.deepEqual({ ...w, AGE: undefined }, { NAME: 'w1', COLOR: 'blue', REPLICAS: '1', PHASE: '', AGE: undefined }, `get ${name}`);
      }
      const wideWidget = await k('get', 'wdg', 'w1', '-n', NS, '-o', 'wide');
      assert.match(wideWidget.split('\n')[0], /^NAME\s+COLOR\s+REPLICAS\s+PHASE\s+SIZE\s+AGE$/);
      assert.equal(parseTable(wideWidget)[0].SIZE, '7');
    });

    test('get -o yaml, json, jsonpath, name, get all, and short names', async () => {
      const live = await get(PATHS.deployment);
      const json = JSON.parse(await k('get', 'deployment', 'web', '-n', NS, '-o', 'json')) as Obj;
      assert.equal(json.apiVersion, 'apps/v1');
      assert.equal(json.kind, 'Deployment');
      assert.equal(json.metadata.uid, live.metadata.uid);
      assert.equal(json.metadata.resourceVersion, live.metadata.resourceVersion);
      assert.deepEqual(json.spec, live.spec);

      const yaml = parseYaml(await k('get', 'deploy', 'web', '-n', NS, '-o', 'yaml')) as Obj;
      assert.equal(yaml.kind, 'Deployment');
      assert.equal(yaml.metadata.name, 'web');
      assert.equal(yaml.metadata.uid, live.metadata.uid);
      assert.deepEqual(yaml.spec?.template?.spec.containers.map((c) => c.name), ['app', 'sidecar']);

      assert.equal(await k('get', 'deploy', 'web', '-n', NS, '-o', 'jsonpath={.spec.replicas}'), String(live.spec?.replicas));
      assert.equal(await k('get', 'wdg', 'w1', '-n', NS, '-o', 'jsonpath={.spec.color}'), 'blue');
      assert.equal(await k('get', 'deploy', 'web', '-n', NS, '-o', 'name'), 'deployment.apps/web\n');

      const names = (await k('get', 'deploy,cm,svc,wdg', '-n', NS, '-o', 'name')).trim().split('\n');
      for (const n of ['deployment.apps/web', 'configmap/web-config', 'configmap/ssa-cm', 'service/web', 'widget.demo.argosy.io/w1']) assert.ok(names.includes(n), `${n} in ${JSON.stringify(names)}`);
      const widgetsJson = JSON.parse(await k('get', 'wdg', '-n', NS, '-o', 'json')) as { kind: string; items: Obj[] };
      assert.equal(widgetsJson.kind, 'List');
      assert.deepEqual(widgetsJson.items.map((i) => i.metadata.name), ['w1']);

      const all = await k('get', 'all', '-n', NS);
      assert.match(all, /^deployment\.apps\/web\s+\d+\/\d+\s+\d+\s+\d+\s+\d+[smh]\S*$/m);
      assert.match(all, /^service\/web\s+ClusterIP\s+/m);
      assert.doesNotMatch(all, /configmap\//, 'configmaps are not in the "all" category');
      const allNames = (await k('get', 'all', '-n', NS, '-o', 'name')).trim().split('\n');
      assert.ok(allNames.includes('deployment.apps/web') && allNames.includes('service/web'), JSON.stringify(allNames));
    });

    test('label and annotate', async () => {
      assert.match(await k('label', 'cm', 'web-config', '-n', NS, 'env=prod', 'team=core'), /^configmap\/web-config labeled$/m);
      assert.match(await k('annotate', 'cm', 'web-config', '-n', NS, 'note=hello world'), /^configmap\/web-config annotated$/m);
      let cm = await get(PATHS.configmap('web-config'));
      assert.equal(cm.metadata.labels?.env, 'prod');
      assert.equal(cm.metadata.labels?.team, 'core');
      assert.equal(cm.metadata.annotations?.note, 'hello world');
      assert.ok(cm.metadata.annotations?.[LAST_APPLIED], 'other annotations are kept');

      await k('label', 'cm', 'web-config', '-n', NS, 'team-');
      const overwrite = await kubectl.fails(['label', 'cm', 'web-config', '-n', NS, 'env=dev'], 1);
      assert.match(overwrite.stderr, /already has a value \(prod\), and --overwrite is false/);
      await k('label', 'cm', 'web-config', '-n', NS, 'env=dev', '--overwrite');
      await k('label', 'wdg', 'w1', '-n', NS, 'stage=beta');
      cm = await get(PATHS.configmap('web-config'));
      assert.equal(cm.metadata.labels?.team, undefined, 'team- removes the label');
      assert.equal(cm.metadata.labels?.env, 'dev');
      assert.equal((await get(PATHS.widget('w1'))).metadata.labels?.stage, 'beta');
      assert.deepEqual(parseTable(await k('get', 'cm', '-n', NS, '-l', 'env=dev')).map((r) => r.NAME), ['web-config'], 'label selectors see the label');
    });

    test('patch --type merge, json and strategic', async () => {
      assert.match(await k('patch', 'cm', 'web-config', '-n', NS, '--type', 'merge', '-p', '{"data":{"extra":"1","mode":null}}'), /^configmap\/web-config patched$/m);
      let cm = await get(PATHS.configmap('web-config'));
      assert.deepEqual(cm.data, { greeting: 'hello', extra: '1' });

      await k('patch', 'cm', 'web-config', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/data/greeting","value":"hi"},{"op":"add","path":"/data/added","value":"yes"}]');
      cm = await get(PATHS.configmap('web-config'));
      assert.deepEqual(cm.data, { greeting: 'hi', extra: '1', added: 'yes' });
      const badTest = await kubectl.fails(['patch', 'cm', 'web-config', '-n', NS, '--type', 'json', '-p', '[{"op":"test","path":"/data/greeting","value":"nope"}]'], 1);
      assert.match(badTest.stderr, /Error from server|error/);
      assert.equal((await get(PATHS.configmap('web-config'))).data?.greeting, 'hi', 'a failed JSON patch test op changes nothing');

      const before = await get(PATHS.deployment);
      const out = await k('patch', 'deployment', 'web', '-n', NS, '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}');
      assert.match(out, /^deployment\.apps\/web patched$/m);
      const after = await get(PATHS.deployment);
      const containers = after.spec?.template?.spec.containers ?? [];
      assert.deepEqual(containers.map((c) => c.name), ['app', 'sidecar'], 'strategic merge keeps both containers, in order');
      assert.deepEqual(containers[0], before.spec?.template?.spec.containers[0], 'the other container is untouched');
      assert.equal(containers[1].image, 'busybox:1.37');
      assert.deepEqual(containers[1].command, ['sleep', 'infinity'], 'the patched container keeps its other fields');

      // Custom resources take merge and JSON patches against their schema.
      await k('patch', 'widget', 'w1', '-n', NS, '--type', 'merge', '-p', '{"spec":{"color":"green"}}');
      await k('patch', 'widget', 'w1', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/size","value":9}]');
      const w1 = await get(PATHS.widget('w1'));
      assert.equal(w1.spec?.color, 'green');
      assert.equal(w1.spec?.size, 9);
    });

    test('scale a Deployment and a custom resource (scale subresource)', async () => {
      assert.match(await k('scale', 'deployment/web', '-n', NS, '--replicas=5'), /^deployment\.apps\/web scaled$/m);
      assert.equal((await get(PATHS.deployment)).spec?.replicas, 5);
      assert.equal(await k('get', 'deploy', 'web', '-n', NS, '--subresource=scale', '-o', 'jsonpath={.spec.replicas}'), '5');

      assert.match(await k('scale', 'widget/w1', '-n', NS, '--replicas=4'), /^widget\.demo\.argosy\.io\/w1 scaled$/m);
      const w1 = await get(PATHS.widget('w1'));
      assert.equal(w1.spec?.replicas, 4);
      assert.equal(w1.spec?.color, 'green', 'scaling leaves the rest of the spec alone');
      const scale = await api.get<{ kind: string; spec: { replicas: number } }>(`${PATHS.widget('w1')}/scale`);
      assert.equal(scale.status, 200, scale.text);
      assert.equal(scale.body.kind, 'Scale');
      assert.equal(scale.body.spec.replicas, 4);
      assert.equal(await k('get', 'wdg', 'w1', '-n', NS, '--subresource=scale', '-o', 'jsonpath={.spec.replicas}'), '4');
      assert.equal(parseTable(await k('get', 'wdg', 'w1', '-n', NS))[0].REPLICAS, '4');

      // --current-replicas is a precondition: it fails when the live count differs.
      const pre = await kubectl.fails(['scale', 'deployment/web', '-n', NS, '--current-replicas=2', '--replicas=1'], 1);
      assert.match(pre.stderr, /[Ee]xpected replicas to be 2, was 5/);
      assert.equal((await get(PATHS.deployment)).spec?.replicas, 5);
    });

    test('diff -f: exit 1 with a unified diff when the file differs, exit 0 and no output when not', async () => {
      const file = writeWork('diff-cm.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diff-cm\n  namespace: ${NS}\ndata:\n  key: one\n`);
      await k('apply', '-f', file);
      const same = await kubectl.run(['diff', '-f', file]);
      assert.deepEqual({ code: same.code, stdout: same.stdout, stderr: same.stderr }, { code: 0, stdout: '', stderr: '' }, 'no differences');

      fs.writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diff-cm\n  namespace: ${NS}\ndata:\n  key: two\n`);
      const changed = await kubectl.fails(['diff', '-f', file], 1);
      assert.match(changed.stdout, /^diff -u -N \S+\/v1\.ConfigMap\.demo\.diff-cm \S+\/v1\.ConfigMap\.demo\.diff-cm$/m);
      assert.match(changed.stdout, /^--- \S+v1\.ConfigMap\.demo\.diff-cm/m);
      assert.match(changed.stdout, /^\+\+\+ \S+v1\.ConfigMap\.demo\.diff-cm/m);
      assert.match(changed.stdout, /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m);
      assert.match(changed.stdout, /^- {2}key: one$/m);
      assert.match(changed.stdout, /^\+ {2}key: two$/m);
      assert.equal(changed.stderr, '');
      assert.equal((await get(PATHS.configmap('diff-cm'))).data?.key, 'one', 'diff is a dry run');

      // The Deployment was scaled to 5 since; the edited manifest says 3.
      const deployDiff = await kubectl.fails(['diff', '-f', editedApp], 1);
      assert.match(deployDiff.stdout, /apps\.v1\.Deployment\.demo\.web/);
      assert.match(deployDiff.stdout, /^- {2}replicas: 5$/m);
      assert.match(deployDiff.stdout, /^\+ {2}replicas: 3$/m);
      assert.match(deployDiff.stdout, /^-\s+image: busybox:1\.37$/m);
      assert.match(deployDiff.stdout, /^\+\s+image: busybox:1\.36$/m);
      assert.equal((await get(PATHS.deployment)).spec?.replicas, 5, 'diff is a dry run');
    });

    test('get -w streams changes (table, -o name, jsonpath; built-in and custom resources)', async () => {
      await createConfigMap({ metadata: { name: 'watched', namespace: NS }, data: { v: '1' } });
      const table = kubectl.start(['get', 'configmap', 'watched', '-n', NS, '-w']);
      const names = kubectl.start(['get', 'configmap', 'watched', '-n', NS, '-w', '-o', 'name']);
      const values = kubectl.start(['get', 'configmap', 'watched', '-n', NS, '-w', '-o', 'jsonpath={.data.v}{"\\n"}']);
      const widget = kubectl.start(['get', 'wdg', 'w1', '-n', NS, '-w']);
      try {
        await table.waitForOutput(/^NAME\s+DATA\s+AGE\n^watched\s+1\s+\S+\n/m);
        await names.waitForOutput(/^configmap\/watched\n/);
        await values.waitForOutput(/^1\n/);
        await widget.waitForOutput(/^w1\s+green\s+4\s+/m);
        await sleep(300); // let the watches settle after the initial list

        await mergePatch(PATHS.configmap('watched'), { data: { v: '2', extra: 'x' } });
        await mergePatch(PATHS.widget('w1'), { spec: { color: 'red' } });
        await table.waitForOutput(/^watched\s+2\s+\S+$/m);
        await names.waitForOutput(/^configmap\/watched\nconfigmap\/watched\n/);
        await values.waitForOutput(/^1\n2\n/);
        await widget.waitForOutput(/^w1\s+red\s+4\s+/m);
        for (const w of [table, names, values, widget]) assert.ok(w.running, `the watch keeps running: ${w.describe()}`);
        assert.equal(table.stdout.match(/^NAME\s+DATA\s+AGE$/gm)?.length, 1, `one header:\n${table.stdout}`);
      } finally {
        await Promise.all([table, names, values, widget].map((w) => w.stop()));
      }
      assert.equal((await get(PATHS.configmap('watched'))).data?.v, '2');
    });

    test('wait --for=condition on a custom resource status, and --for=delete', async () => {
      const waiter = kubectl.start(['wait', '--for=condition=Ready', 'widget/w1', '-n', NS, '--timeout=20s']);
      await sleep(1000);
      assert.ok(waiter.running, `wait returns only once the condition holds: ${waiter.describe()}`);
      const statusPatch = JSON.stringify({ status: { phase: 'Running', replicas: 4, conditions: [{ type: 'Ready', status: 'True', reason: 'Acceptance', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
      assert.match(await k('patch', 'widget', 'w1', '-n', NS, '--subresource=status', '--type', 'merge', '-p', statusPatch), /^widget\.demo\.argosy\.io\/w1 patched$/m);
      const done = await waiter.finish(20_000);
      assert.equal(done.code, 0, waiter.describe());
      assert.match(done.stdout, /^widget\.demo\.argosy\.io\/w1 condition met$/m);
      const w1 = await get(PATHS.widget('w1'));
      assert.deepEqual(w1.status?.conditions?.map((c) => [c.type, c.status]), [['Ready', 'True']]);
      assert.equal(w1.spec?.color, 'red', 'a status patch leaves the spec alone');
      assert.equal(parseTable(await k('get', 'wdg', 'w1', '-n', NS))[0].PHASE, 'Running', 'the printer column reads the status');

      // With a status subresource, the main resource ignores status changes.
      await k('patch', 'widget', 'w1', '-n', NS, '--type', 'merge', '-p', '{"status":{"phase":"Hacked"}}');
      assert.equal((await get(PATHS.widget('w1'))).status?.phase, 'Running');

      // An already-true condition returns at once; a false one times out with exit 1.
      assert.match(await k('wait', '--for=condition=Ready=True', 'wdg/w1', '-n', NS, '--timeout=5s'), /condition met/);
      const timeout = await kubectl.fails(['wait', '--for=condition=Ready=False', 'wdg/w1', '-n', NS, '--timeout=1s'], 1);
      assert.match(timeout.stderr, /timed out waiting for the condition/);

      await createConfigMap({ metadata: { name: 'doomed', namespace: NS } });
      const deleteWaiter = kubectl.start(['wait', '--for=delete', 'configmap/doomed', '-n', NS, '--timeout=20s']);
      await sleep(1000);
      assert.ok(deleteWaiter.running, `wait --for=delete returns only once the object is gone: ${deleteWaiter.describe()}`);
      const del = await api.delete(PATHS.configmap('doomed'));
      assert.equal(del.status, 200, del.text);
      const deleted = await deleteWaiter.finish(20_000);
      assert.equal(deleted.code, 0, deleteWaiter.describe());
      assert.match(deleted.stdout, /^configmap\/doomed condition met$/m);
      assert.equal(await status(PATHS.configmap('doomed')), 404);
    });

    describe('delete --cascade', () => {
      const ownerAndChild = async (owner: string, child: string, childFinalizers?: string[]): Promise<{ owner: Obj; child: Obj }> => {
        const o = await createConfigMap({ metadata: { name: owner, namespace: NS }, data: { role: 'owner' } });
        const c = await createConfigMap({
          metadata: {
            name: child,
            namespace: NS,
            ...(childFinalizers ? { finalizers: childFinalizers } : {}),
            ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: o.metadata.uid, blockOwnerDeletion: true }],
          },
          data: { role: 'child' },
        });
        assert.equal(c.metadata.ownerReferences?.[0]?.uid, o.metadata.uid);
        return { owner: o, child: c };
      };

      test('background: the owner goes at once, the child soon after', async () => {
        await ownerAndChild('bg-owner', 'bg-child');
        const out = await k('delete', 'configmap', 'bg-owner', '-n', NS, '--cascade=background', '--timeout=30s');
        assert.match(out, /^configmap "bg-owner" deleted/m);
        assert.equal(await status(PATHS.configmap('bg-owner')), 404);
        await eventually('the garbage collector to delete bg-child', async () => (await status(PATHS.configmap('bg-child'))) === 404);
      });

      test('orphan: the child stays, without its ownerReference', async () => {
        const { child } = await ownerAndChild('or-owner', 'or-child');
        const out = await k('delete', 'configmap', 'or-owner', '-n', NS, '--cascade=orphan', '--timeout=30s');
        assert.match(out, /^configmap "or-owner" deleted/m);
        assert.equal(await status(PATHS.configmap('or-owner')), 404);
        const orphaned = await eventually('or-child to lose its ownerReference', async () => {
          const c = await get(PATHS.configmap('or-child'));
          return (c.metadata.ownerReferences ?? []).length === 0 ? c : undefined;
        });
        assert.equal(orphaned.metadata.uid, child.metadata.uid);
        await sleep(1000);
        const still = await get(PATHS.configmap('or-child'));
        assert.equal(still.metadata.deletionTimestamp, undefined, 'the orphan is not being deleted');
        assert.deepEqual(still.data, { role: 'child' });
      });

      test('foreground: the child goes first, the owner waits with the foregroundDeletion finalizer', async () => {
        // The child's own finalizer holds it (and so the owner) in deletion until the test releases it.
        await ownerAndChild('fg-owner', 'fg-child', ['demo.argosy.io/hold']);
        const deleter = kubectl.start(['delete', 'configmap', 'fg-owner', '-n', NS, '--cascade=foreground', '--timeout=30s']);
        try {
          const pending = await eventually('fg-owner and fg-child to be marked for deletion', async () => {
            const o = await get(PATHS.configmap('fg-owner'));
            const c = await get(PATHS.configmap('fg-child'));
            return o.metadata.deletionTimestamp && c.metadata.deletionTimestamp ? { o, c } : undefined;
          });
          assert.ok(pending.o.metadata.finalizers?.includes('foregroundDeletion'), `owner finalizers: ${JSON.stringify(pending.o.metadata.finalizers)}`);
          await sleep(500);
          assert.ok(deleter.running, `kubectl delete waits for the owner to go: ${deleter.describe()}`);
          const owner = await get(PATHS.configmap('fg-owner'));
          assert.ok(owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes('foregroundDeletion'), 'the owner waits while its blocking child exists');

          await mergePatch(PATHS.configmap('fg-child'), { metadata: { finalizers: null } });
          const done = await deleter.finish(30_000);
          assert.equal(done.code, 0, deleter.describe());
          assert.match(done.stdout, /^configmap "fg-owner" deleted/m);
          assert.equal(await status(PATHS.configmap('fg-child')), 404);
          assert.equal(await status(PATHS.configmap('fg-owner')), 404);
        } finally {
          await deleter.stop();
        }
      });
    });

    test('api-resources lists built-ins and the CRD; explain reads the CRD schema', async () => {
      const rows = parseTable(await k('api-resources'));
      assert.deepEqual(Object.keys(rows[0] ?? {}), ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      const byName = (name: string, apiVersion: string): Record<string, string> | undefined => rows.find((r) => r.NAME === name && r.APIVERSION === apiVersion);
      assert.deepEqual(byName('configmaps', 'v1'), { NAME: 'configmaps', SHORTNAMES: 'cm', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'ConfigMap' });
      assert.deepEqual(byName('services', 'v1'), { NAME: 'services', SHORTNAMES: 'svc', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Service' });
      assert.deepEqual(byName('namespaces', 'v1'), { NAME: 'namespaces', SHORTNAMES: 'ns', APIVERSION: 'v1', NAMESPACED: 'false', KIND: 'Namespace' });
      assert.deepEqual(byName('deployments', 'apps/v1'), { NAME: 'deployments', SHORTNAMES: 'deploy', APIVERSION: 'apps/v1', NAMESPACED: 'true', KIND: 'Deployment' });
      assert.deepEqual(byName('customresourcedefinitions', 'apiextensions.k8s.io/v1'), {
        NAME: 'customresourcedefinitions',
        SHORTNAMES: 'crd,crds',
        APIVERSION: 'apiextensions.k8s.io/v1',
        NAMESPACED: 'false',
        KIND: 'CustomResourceDefinition',
      });
      assert.deepEqual(byName('widgets', 'demo.argosy.io/v1'), { NAME: 'widgets', SHORTNAMES: 'wdg', APIVERSION: 'demo.argosy.io/v1', NAMESPACED: 'true', KIND: 'Widget' });
      assert.ok(!rows.some((r) => r.NAME.includes('/')), 'subresources are not listed');
      assert.equal(await k('api-resources', '--api-group=demo.argosy.io', '-o', 'name'), 'widgets.demo.argosy.io\n');

      const explain = await k('explain', 'widget');
      assert.match(explain, /KIND:\s+Widget/);
      assert.match(explain, /demo\.argosy\.io/);
      assert.match(explain, /VERSION:\s+(demo\.argosy\.io\/)?v1/);
      assert.match(explain, /Widget is a demonstration resource for the kubectl acceptance suite\./);
      assert.match(explain, /^\s+spec\s+<Object>$/m);
      assert.match(explain, /^\s+status\s+<Object>$/m);
      assert.match(explain, /WidgetSpec is the desired state of a widget\./);

      const spec = await k('explain', 'widget.spec');
      assert.match(spec, /FIELD:\s+spec\s+<Object>/);
      assert.match(spec, /^\s+color\s+<string>\s+-required-$/m);
      assert.match(spec, /Colour of the widget, one of red, green or blue\./);
      assert.match(spec, /enum: "?red"?, "?green"?, "?blue"?/);
      assert.match(spec, /^\s+size\s+<integer>$/m);
      assert.match(spec, /^\s+replicas\s+<integer>$/m);
      assert.match(spec, /Number of widget replicas wanted\./);
      assert.doesNotMatch(spec, /^\s+phase\s+</m, 'status fields are not under spec');

      const recursive = await k('explain', 'widget.status', '--recursive');
      assert.match(recursive, /conditions\s+<\[\]Object>/);
      assert.match(recursive, /lastTransitionTime\s+<string>/);
    });

    describe('errors look like Kubernetes errors', () => {
      test('get of a missing object: NotFound', async () => {
        const missing = await kubectl.fails(['get', 'configmap', 'nope', '-n', NS], 1);
        assert.match(missing.stderr, /^Error from server \(NotFound\): configmaps "nope" not found$/m);
        assert.equal(missing.stdout, '');
        const missingCr = await kubectl.fails(['get', 'wdg', 'nope', '-n', NS], 1);
        assert.match(missingCr.stderr, /Error from server \(NotFound\): widgets\.demo\.argosy\.io "nope" not found/);
        assert.equal(await status(PATHS.configmap('nope')), 404);
      });

      test('an invalid name names metadata.name', async () => {
        const badName = await kubectl.fails(['apply', '-f', fixture('bad-name.yaml')], 1);
        assert.match(badName.stderr, /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
        assert.equal(await status(PATHS.configmap('Bad_Name')), 404);
      });

      test('a custom resource violating its schema names the field paths', async () => {
        const badWidget: KubectlResult = await kubectl.fails(['apply', '-f', fixture('bad-widget.yaml')], 1);
        assert.match(badWidget.stderr, /The Widget "bad" is invalid/);
        assert.match(badWidget.stderr, /spec\.color: Unsupported value: "purple": supported values: "red", "green", "blue"/);
        assert.match(badWidget.stderr, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
        assert.equal(await status(PATHS.widget('bad')), 404);

        const before = await get(PATHS.widget('w1'));
        const belowMinimum = await kubectl.fails(['patch', 'wdg', 'w1', '-n', NS, '--type', 'merge', '-p', '{"spec":{"replicas":-1}}'], 1);
        assert.match(belowMinimum.stderr, /spec\.replicas: Invalid value: -1: spec\.replicas in body should be greater than or equal to 0/);
        assert.equal((await get(PATHS.widget('w1'))).spec?.replicas, before.spec?.replicas);
      });

      test('strict field validation (kubectl\'s default) rejects unknown fields of a built-in kind', async () => {
        const unknownField = await kubectl.fails(['apply', '-f', '-'], 1, {
          input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\n  namespace: ${NS}\ndatta:\n  a: "1"\n`,
        });
        assert.match(unknownField.stderr, /strict decoding error: unknown field "datta"/);
        assert.equal(await status(PATHS.configmap('strict')), 404);
      });

      test('strict field validation rejects unknown fields of a custom resource', async () => {
        const unknownCrField = await kubectl.fails(['apply', '-f', '-'], 1, {
          input: `apiVersion: demo.argosy.io/v1\nkind: Widget\nmetadata:\n  name: strict\n  namespace: ${NS}\nspec:\n  color: red\n  shape: round\n`,
        });
        assert.match(unknownCrField.stderr, /strict decoding error: unknown field "spec\.shape"/);
        assert.equal(await status(PATHS.widget('strict')), 404);
      });
    });
  });
}
