import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { ProtoWriter } from '../openapi/protobuf.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from './index.js';
import { goDuration } from './decode.js';
import { KINDS, MESSAGES } from './schema.js';

const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** Wraps a typed message's bytes in the `k8s\0` + runtime.Unknown envelope. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra?: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter();
  const tm = w.begin(1);
  w.string(1, apiVersion);
  w.string(2, kind);
  w.end(tm);
  w.bytes(2, raw);
  extra?.(w);
  const body = w.finish();
  const out = new Uint8Array(4 + body.length);
  out.set(MAGIC);
  out.set(body, 4);
  return out;
}

function msg(build: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter();
  build(w);
  return w.finish();
}

/** Writes a nested message in `field`. */
function nested(w: ProtoWriter, field: number, build: (w: ProtoWriter) => void): void {
  const m = w.begin(field);
  build(w);
  w.end(m);
}

function mapEntry(w: ProtoWriter, field: number, key: string, value: string | Uint8Array | ((w: ProtoWriter) => void)): void {
  nested(w, field, (e) => {
    e.string(1, key);
    if (typeof value === 'string') e.string(2, value);
    else if (value instanceof Uint8Array) e.bytes(2, value);
    else nested(e, 2, value);
  });
}

/** ObjectMeta as Go writes it: every non-pointer field, zero or not, and an empty creationTimestamp. */
function objectMeta(w: ProtoWriter, field: number, name: string, namespace = '', labels: Record<string, string> = {}): void {
  nested(w, field, (m) => {
    m.string(1, name);
    m.string(2, ''); // generateName
    m.string(3, namespace);
    m.string(5, ''); // uid
    m.string(6, ''); // resourceVersion
    m.int64(7, 0); // generation
    nested(m, 8, () => {}); // creationTimestamp (zero)
    for (const [k, v] of Object.entries(labels)) mapEntry(m, 11, k, v);
  });
}

function expectApiError(fn: () => unknown, code: number, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('isKubernetesProtobuf', () => {
  test('matches the media type with or without parameters', () => {
    assert.equal(isKubernetesProtobuf('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isKubernetesProtobuf('Application/VND.Kubernetes.Protobuf; charset=binary'), true);
    assert.equal(isKubernetesProtobuf('application/json'), false);
    assert.equal(isKubernetesProtobuf(''), false);
  });
});

describe('decodeKubernetesProtobuf', () => {
  test('Namespace: zero scalars dropped, empty structs kept, zero creationTimestamp is null', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, 'demo');
      nested(w, 2, () => {}); // spec
      nested(w, 3, (s) => s.string(1, '')); // status.phase ""
    });
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw)), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'demo', creationTimestamp: null },
      spec: {},
      status: {},
    });
  });

  test('ConfigMap with data and binaryData (bytes become base64)', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, 'c', 'ns', { app: 'x' });
      mapEntry(w, 2, 'a', 'b');
      mapEntry(w, 2, 'empty', '');
      mapEntry(w, 3, 'bin', Uint8Array.of(0, 1, 2, 255));
      w.bool(4, true); // immutable (pointer): kept
    });
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw)), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'ns', creationTimestamp: null, labels: { app: 'x' } },
      data: { a: 'b', empty: '' },
      binaryData: { bin: 'AAEC/w==' },
      immutable: true,
    });
  });

  test('Secret with data, stringData and type', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, 's');
      mapEntry(w, 2, 'password', new TextEncoder().encode('hunter2'));
      w.string(3, 'Opaque');
      mapEntry(w, 4, 'plain', 'text');
    });
    const o = decodeKubernetesProtobuf(envelope('v1', 'Secret', raw));
    assert.deepEqual(o.data, { password: Buffer.from('hunter2').toString('base64') });
    assert.deepEqual(o.stringData, { plain: 'text' });
    assert.equal(o.type, 'Opaque');
  });

  test('Deployment: replicas, strategy with IntOrString, container ports/env/valueFrom/resources/probes/volumes', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, 'web', '', { app: 'web' });
      nested(w, 2, (spec) => {
        spec.int64(1, 3); // replicas
        nested(spec, 2, (sel) => mapEntry(sel, 1, 'app', 'web'));
        nested(spec, 3, (tpl) => {
          objectMeta(tpl, 1, '', '', { app: 'web' });
          nested(tpl, 2, (pod) => {
            nested(pod, 1, (vol) => {
              vol.string(1, 'cfg');
              nested(vol, 2, (src) => nested(src, 19, (cm) => {
                nested(cm, 1, (ref) => ref.string(1, 'settings')); // inline LocalObjectReference
                nested(cm, 2, (item) => {
                  item.string(1, 'k');
                  item.string(2, 'k.txt');
                });
                cm.int64(3, 0o644); // defaultMode (pointer)
              }));
            });
            nested(pod, 1, (vol) => {
              vol.string(1, 'scratch');
              nested(vol, 2, (src) => nested(src, 2, (ed) => nested(ed, 2, (q) => q.string(1, '1Gi'))));
            });
            nested(pod, 2, (c) => {
              c.string(1, 'app');
              c.string(2, 'nginx:1.27');
              c.string(3, 'nginx');
              c.string(4, '-g');
              c.string(5, '/srv');
              nested(c, 6, (p) => {
                p.string(1, 'http');
                p.int64(2, 0); // hostPort: zero, dropped
                p.int64(3, 8080);
                p.string(4, 'TCP');
                p.string(5, '');
              });
              nested(c, 7, (e) => {
                e.string(1, 'MODE');
                e.string(2, 'prod');
              });
              nested(c, 7, (e) => {
                e.string(1, 'PASSWORD');
                e.string(2, '');
                nested(e, 3, (vf) => nested(vf, 4, (sk) => {
                  nested(sk, 1, (ref) => ref.string(1, 'db'));
                  sk.string(2, 'password');
                  sk.bool(3, false); // optional (pointer): kept as false
                }));
              });
              nested(c, 8, (r) => {
                mapEntry(r, 1, 'cpu', (q) => q.string(1, '500m'));
                mapEntry(r, 2, 'memory', (q) => q.string(1, '128Mi'));
              });
              nested(c, 9, (vm) => {
                vm.string(1, 'cfg');
                vm.bool(2, true);
                vm.string(3, '/etc/cfg');
              });
              nested(c, 10, (probe) => {
                nested(probe, 1, (h) => nested(h, 2, (get) => {
                  get.string(1, '/healthz');
                  nested(get, 2, (port) => {
                    port.int64(1, 1);
                    port.int64(2, 0);
                    port.string(3, 'http');
                  });
                }));
                probe.int64(2, 5); // initialDelaySeconds
                probe.int64(3, 0); // timeoutSeconds (zero, dropped)
              });
              c.string(14, 'IfNotPresent');
              nested(c, 15, (sc) => {
                sc.bool(5, true); // runAsNonRoot
                sc.int64(4, 1000); // runAsUser
                nested(sc, 1, (caps) => caps.string(2, 'ALL'));
              });
            });
            pod.string(3, 'Always');
            mapEntry(pod, 7, 'disktype', 'ssd');
            nested(pod, 22, (t) => {
              t.string(1, 'dedicated');
              t.string(2, 'Equal');
              t.string(3, 'gpu');
              t.string(4, 'NoSchedule');
            });
          });
        });
        nested(spec, 4, (st) => {
          st.string(1, 'RollingUpdate');
          nested(st, 2, (ru) => {
            nested(ru, 1, (v) => {
              v.int64(1, 1);
              v.string(3, '25%');
            });
            nested(ru, 2, (v) => {
              v.int64(1, 0);
              v.int64(2, 1);
            });
          });
        });
        spec.int64(5, 0); // minReadySeconds: zero, dropped
      });
      nested(w, 3, () => {});
    });
    const o = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', raw));
    assert.deepEqual(o, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            volumes: [
              { name: 'cfg', configMap: { name: 'settings', items: [{ key: 'k', path: 'k.txt' }], defaultMode: 420 } },
              { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
            ],
            containers: [
              {
                name: 'app',
                image: 'nginx:1.27',
                command: ['nginx'],
                args: ['-g'],
                workingDir: '/srv',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [
                  { name: 'MODE', value: 'prod' },
                  { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: false } } },
                ],
                resources: { limits: { cpu: '500m' }, requests: { memory: '128Mi' } },
                volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/cfg' }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5 },
                imagePullPolicy: 'IfNotPresent',
                securityContext: { capabilities: { drop: ['ALL'] }, runAsUser: 1000, runAsNonRoot: true },
              },
            ],
            restartPolicy: 'Always',
            nodeSelector: { disktype: 'ssd' },
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
      },
      status: {},
    });
  });

  test('SelfSubjectAccessReview with resourceAttributes, field and label selector attributes', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, '');
      nested(w, 2, (spec) => {
        nested(spec, 1, (ra) => {
          ra.string(1, 'default');
          ra.string(2, 'list');
          ra.string(3, 'apps');
          ra.string(4, '');
          ra.string(5, 'deployments');
          ra.string(6, '');
          ra.string(7, '');
          nested(ra, 8, (fs) => fs.string(1, 'metadata.name=x'));
          nested(ra, 9, (ls) => {
            nested(ls, 2, (req) => {
              req.string(1, 'app');
              req.string(2, 'In');
              req.string(3, 'a');
              req.string(3, 'b');
            });
          });
        });
      });
      nested(w, 3, (st) => {
        st.bool(1, false);
        st.string(2, '');
        st.string(3, '');
        st.bool(4, false);
      });
    });
    assert.deepEqual(decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', raw)), {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          namespace: 'default',
          verb: 'list',
          group: 'apps',
          resource: 'deployments',
          fieldSelector: { rawSelector: 'metadata.name=x' },
          labelSelector: { requirements: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] },
        },
      },
      status: { allowed: false },
    });
  });

  test('ObjectMeta times, owner references and managedFields', () => {
    const raw = msg((w) => {
      nested(w, 1, (m) => {
        m.string(1, 'x');
        nested(m, 8, (t) => {
          t.int64(1, 1_700_000_000);
          t.int64(2, 123_000_000);
        });
        nested(m, 9, (t) => t.int64(1, 0)); // deletionTimestamp at the epoch
        m.int64(10, 30);
        nested(m, 13, (or) => {
          or.string(1, 'ReplicaSet');
          or.string(3, 'rs');
          or.string(4, 'u-1');
          or.string(5, 'apps/v1');
          or.bool(6, true);
        });
        m.string(14, 'example.com/cleanup');
        nested(m, 17, (mf) => {
          mf.string(1, 'kubectl');
          mf.string(2, 'Update');
          mf.string(3, 'v1');
          nested(mf, 4, (t) => t.int64(1, 1_700_000_000));
          mf.string(6, 'FieldsV1');
          nested(mf, 7, (f) => f.bytes(1, new TextEncoder().encode('{"f:data":{".":{}}}')));
        });
      });
    });
    const o = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw));
    assert.deepEqual(o.metadata, {
      name: 'x',
      creationTimestamp: '2023-11-14T22:13:20Z',
      deletionTimestamp: '1970-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 30,
      ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'u-1', apiVersion: 'apps/v1', controller: true }],
      finalizers: ['example.com/cleanup'],
      managedFields: [
        { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2023-11-14T22:13:20Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {} } } },
      ],
    });
  });

  test('negative int32 and int64 values (ten-byte varints)', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, 'pc');
      w.int64(2, -5); // value (int32)
    });
    assert.equal(decodeKubernetesProtobuf(envelope('scheduling.k8s.io/v1', 'PriorityClass', raw)).value, -5);
  });

  test('unknown fields, including groups and fixed-width ones, are skipped', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, 'c');
      w.string(99, 'future');
      w.double(100, 1.5);
      w.int64(101, 7);
      mapEntry(w, 2, 'a', 'b');
    });
    const withGroup = new Uint8Array([...raw, (102 << 3) | 3, 8, 1, (102 << 3) | 4, (103 << 3) | 5, 1, 2, 3, 4]);
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', withGroup)), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', creationTimestamp: null },
      data: { a: 'b' },
    });
  });

  test('ExtraValue maps become string arrays; RoleRef and Subjects', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, '');
      nested(w, 2, (spec) => {
        spec.string(3, 'alice');
        spec.string(4, 'g1');
        mapEntry(spec, 5, 'scopes', (ev) => {
          ev.string(1, 'a');
          ev.string(1, 'b');
        });
      });
    });
    const o = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SubjectAccessReview', raw));
    assert.deepEqual(o.spec, { user: 'alice', groups: ['g1'], extra: { scopes: ['a', 'b'] } });
  });

  test('a map key named __proto__ stays an ordinary key', () => {
    const raw = msg((w) => {
      objectMeta(w, 1, 'c');
      mapEntry(w, 2, '__proto__', 'x');
    });
    const o = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw));
    const data = o.data as Record<string, string>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.keys(data), ['__proto__']);
    assert.equal(JSON.stringify(data), '{"__proto__":"x"}');
  });

  test('DeleteOptions in any group version, and an Eviction that carries them', () => {
    const opts = msg((w) => {
      w.int64(1, 0); // gracePeriodSeconds (pointer): kept
      w.string(4, 'Foreground');
      w.string(5, 'All');
    });
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'DeleteOptions', opts)), {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
    const eviction = msg((w) => {
      objectMeta(w, 1, 'p', 'ns');
      nested(w, 2, (d) => {
        nested(d, 2, (pre) => pre.string(1, 'uid-1'));
      });
    });
    assert.deepEqual(decodeKubernetesProtobuf(envelope('policy/v1', 'Eviction', eviction)), {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'p', namespace: 'ns', creationTimestamp: null },
      deleteOptions: { preconditions: { uid: 'uid-1' } },
    });
  });

  test('a runtime.Unknown that wraps JSON is accepted', () => {
    const body = envelope('v1', 'ConfigMap', new TextEncoder().encode('{"metadata":{"name":"j"},"data":{"a":"b"}}'), (w) => w.string(4, 'application/json'));
    assert.deepEqual(decodeKubernetesProtobuf(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' }, data: { a: 'b' } });
  });

  describe('errors', () => {
    test('bad magic is a 400', () => {
      expectApiError(() => decodeKubernetesProtobuf(new TextEncoder().encode('{"kind":"Namespace"}')), 400, /k8s\\x00/);
      expectApiError(() => decodeKubernetesProtobuf(new Uint8Array(0)), 400, /prefix/);
    });

    test('a kind without a schema is a 415 naming it', () => {
      expectApiError(() => decodeKubernetesProtobuf(envelope('example.com/v1', 'Widget', new Uint8Array(0))), 415, /example\.com\/v1, Kind=Widget/);
    });

    test('a missing apiVersion or kind is a 400', () => {
      expectApiError(() => decodeKubernetesProtobuf(envelope('', 'Namespace', new Uint8Array(0))), 400, /no apiVersion/);
    });

    test('truncated data is a 400 naming the kind and where', () => {
      const raw = msg((w) => {
        objectMeta(w, 1, 'demo');
        nested(w, 2, (spec) => spec.string(1, 'kubernetes'));
      });
      expectApiError(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw.subarray(0, raw.length - 3))), 400, /v1, Kind=Namespace is malformed.*truncated/);
      const whole = envelope('v1', 'Namespace', raw);
      expectApiError(() => decodeKubernetesProtobuf(whole.subarray(0, whole.length - 2)), 400, /malformed: truncated/);
      expectApiError(() => decodeKubernetesProtobuf(Uint8Array.of(...MAGIC, 0x0a, 0x80)), 400, /truncated varint/);
    });

    test('a wrong wire type for a known field is a 400 with its path', () => {
      const raw = msg((w) => nested(w, 1, (m) => m.int64(1, 5)));
      expectApiError(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw)), 400, /at metadata\.name: wrong wire type/);
    });

    test('the path of a bad field names list indexes and skips inlined structs', () => {
      const raw = msg((w) => {
        objectMeta(w, 1, 'p');
        nested(w, 2, (spec) => {
          nested(spec, 2, (c) => c.string(1, 'ok'));
          nested(spec, 2, (c) => {
            nested(c, 7, (e) => nested(e, 3, (vf) => nested(vf, 3, (ref) => nested(ref, 1, (lor) => lor.int64(1, 1)))));
          });
        });
      });
      expectApiError(
        () => decodeKubernetesProtobuf(envelope('v1', 'Pod', raw)),
        400,
        /v1, Kind=Pod is malformed at spec\.containers\[1\]\.env\[0\]\.valueFrom\.configMapKeyRef\.name: wrong wire type/,
      );
    });

    test('invalid UTF-8 in a string is a 400', () => {
      const raw = msg((w) => nested(w, 1, (m) => m.bytes(1, Uint8Array.of(0xff, 0xfe))));
      expectApiError(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw)), 400, /UTF-8/);
    });

    test('a content encoding is refused with 415', () => {
      expectApiError(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', new Uint8Array(0), (w) => w.string(3, 'gzip'))), 415, /gzip/);
    });
  });
});

describe('schema', () => {
  test('every referenced type exists and every kind names a message', () => {
    const scalars = new Set(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bytes', 'double', 'float']);
    for (const [name, fields] of Object.entries(MESSAGES)) {
      for (const [num, [json, type, flags = '']] of Object.entries(fields)) {
        const t = /^map<string,(.+)>$/.exec(type)?.[1] ?? type;
        assert.ok(scalars.has(t) || t in MESSAGES, `${name}.${json} (${num}) has unknown type ${type}`);
        assert.match(flags, /^[rpiq]*$/);
      }
    }
    for (const [kind, message] of Object.entries(KINDS)) assert.ok(message in MESSAGES, `${kind} -> ${message}`);
  });

  test('covers the kinds kubectl writes', () => {
    for (const k of [
      'v1/Namespace', 'v1/ConfigMap', 'v1/Secret', 'v1/ServiceAccount', 'v1/Service', 'v1/Pod', 'v1/ResourceQuota',
      'apps/v1/Deployment', 'batch/v1/Job', 'batch/v1/CronJob', 'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/ClusterRole', 'rbac.authorization.k8s.io/v1/RoleBinding',
      'rbac.authorization.k8s.io/v1/ClusterRoleBinding', 'scheduling.k8s.io/v1/PriorityClass', 'policy/v1/PodDisruptionBudget',
      'policy/v1/Eviction', 'networking.k8s.io/v1/Ingress', 'authentication.k8s.io/v1/TokenRequest',
      'authentication.k8s.io/v1/SelfSubjectReview', 'authorization.k8s.io/v1/SelfSubjectAccessReview',
      'authorization.k8s.io/v1/SelfSubjectRulesReview', 'autoscaling/v2/HorizontalPodAutoscaler',
    ]) {
      assert.ok(KINDS[k], `missing ${k}`);
    }
  });
});

test('goDuration prints like Go', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(3600e9), '1h0m0s');
  assert.equal(goDuration(90e9), '1m30s');
  assert.equal(goDuration(1.5e9), '1.5s');
  assert.equal(goDuration(300e6), '300ms');
  assert.equal(goDuration(-2e9), '-2s');
});
