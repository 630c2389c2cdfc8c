/**
 * Validation of the controller kinds (pkg/apis/apps, batch, autoscaling, policy validation and the
 * selector-immutability checks their registry strategies add for apps/v1).
 */
import { fieldError } from '../errors.js';
import type { FieldCause, KubeObject } from '../objects.js';
import { cronParseError, timeZoneErrors } from './cron.js';
import { isValidPathSegmentName, isValidPercent, validateAnnotations, validateLabels } from './names.js';
import { labelSelectorAsSelector, mapSelectorMatches, selectorEmpty, selectorMatches, validateLabelSelector } from './selectors.js';
import {
  child,
  clone,
  getArray,
  getMap,
  getNumber,
  getString,
  getStringMap,
  goIntOrString,
  goLabelSelector,
  goPtr,
  goQuote,
  goStringMap,
  invalidRendered,
  isMap,
  isSet,
  type JsonMap,
  notSupportedRendered,
  semanticEqual,
} from './util.js';
import { validatePodTemplateSpec } from './validate-pod.js';

const NEGATIVE = 'must be greater than or equal to 0';
const IMMUTABLE = 'field is immutable';

function nonNegative(v: unknown, path: string): FieldCause[] {
  return typeof v === 'number' && v < 0 ? [fieldError.invalid(path, v, NEGATIVE)] : [];
}

function specOf(o: KubeObject | undefined): JsonMap {
  const s = o ? getMap(o, 'spec') : undefined;
  return s ?? {};
}

function templateLabels(template: unknown): Record<string, string> | undefined {
  return getStringMap(getMap(template, 'metadata'), 'labels');
}

function selectorMismatch(template: unknown, path: string): FieldCause {
  return invalidRendered(child(path, 'metadata', 'labels'), goStringMap(templateLabels(template)), '`selector` does not match template `labels`');
}

/** The selector immutability check apps/v1 strategies add on update. */
export function immutableSelector(spec: JsonMap, old: JsonMap): FieldCause[] {
  if (semanticEqual(spec.selector, old.selector)) return [];
  return [invalidRendered('spec.selector', renderSelectorPtr(spec.selector), IMMUTABLE)];
}

function renderSelectorPtr(sel: unknown): string {
  return isMap(sel) ? goLabelSelector(sel) : 'null';
}

// ---- shared: selector + template for ReplicaSet-like specs ----

function validateSelectorAndTemplate(s: JsonMap, path: string, kindWord: string): { errs: FieldCause[]; nilSelector: boolean } {
  const errs: FieldCause[] = [];
  const sel = s.selector;
  if (!isMap(sel)) {
    errs.push(fieldError.required(child(path, 'selector')));
  } else {
    errs.push(...validateLabelSelector(sel, child(path, 'selector')));
    if (Object.keys(getMap(sel, 'matchLabels') ?? {}).length + (getArray(sel, 'matchExpressions') ?? []).length === 0) {
      errs.push(invalidRendered(child(path, 'selector'), goLabelSelector(sel), `empty selector is invalid for ${kindWord}`));
    }
  }
  return { errs, nilSelector: !isMap(sel) };
}

function validateRSLikeTemplate(s: JsonMap, path: string, kind: string, invalidSelectorMsg: string): FieldCause[] {
  const out: FieldCause[] = [];
  const selector = labelSelectorAsSelector(s.selector);
  const tpath = child(path, 'template');
  if (selector.kind === 'error') {
    out.push(invalidRendered(child(path, 'selector'), renderSelectorPtr(s.selector), invalidSelectorMsg));
    return out;
  }
  const template = s.template;
  if (!selectorEmpty(selector) && !selectorMatches(selector, templateLabels(template))) out.push(selectorMismatch(template, tpath));
  out.push(...validatePodTemplateSpec(template, tpath));
  out.push(...restartAlways(template, tpath, kind));
  return out;
}

function restartAlways(template: unknown, tpath: string, kind: string): FieldCause[] {
  const out: FieldCause[] = [];
  const tspec = getMap(template, 'spec');
  const rp = getString(tspec, 'restartPolicy');
  if (rp !== 'Always') out.push(fieldError.notSupported(child(tpath, 'spec', 'restartPolicy'), rp, ['Always']));
  if (isSet(tspec, 'activeDeadlineSeconds')) {
    out.push(fieldError.forbidden(child(tpath, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return out;
}

// ---- int-or-percent fields ----

function percentValue(v: unknown): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return undefined;
  return Number.parseInt(v.slice(0, -1), 10);
}

function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  return typeof v === 'number' ? v : 0;
}

function validatePositiveIntOrPercent(v: unknown, path: string): FieldCause[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidRendered(path, goIntOrString(v), m));
  return nonNegative(typeof v === 'number' ? v : 0, path);
}

function notMoreThan100Percent(v: unknown, path: string): FieldCause[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalidRendered(path, goIntOrString(v), 'must not be greater than 100%')] : [];
}

// ---- Deployment ----

function validateDeploymentStrategy(strategy: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const type = getString(strategy, 'type');
  const ru = getMap(strategy, 'rollingUpdate');
  if (type === 'Recreate') {
    if (ru) out.push(fieldError.forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    if (!ru) return [fieldError.required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
    const rp = child(path, 'rollingUpdate');
    out.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
    out.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge')));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      out.push(invalidRendered(child(rp, 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
    out.push(...notMoreThan100Percent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
  } else {
    const rendered = `apps.DeploymentStrategy{Type:${goQuote(type)}, RollingUpdate:${goPtr('apps.RollingUpdateDeployment', ru)}}`;
    out.push(notSupportedRendered(path, rendered, ['Recreate', 'RollingUpdate']));
  }
  return out;
}

export function validateDeployment(obj: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [...nonNegative(s.replicas, 'spec.replicas')];
  out.push(...validateSelectorAndTemplate(s, 'spec', 'deployment').errs);
  out.push(...validateRSLikeTemplate(s, 'spec', 'Deployment', 'invalid label selector'));
  out.push(...validateDeploymentStrategy(s.strategy, 'spec.strategy'));
  out.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  out.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = s.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    out.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (getNumber(s, 'minReadySeconds') ?? 0)) {
      out.push(fieldError.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
    }
  }
  if (old) out.push(...immutableSelector(s, specOf(old)));
  return out;
}

export function validateReplicaSet(obj: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [...nonNegative(s.replicas, 'spec.replicas'), ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds')];
  // Kubernetes says "deployment" here too.
  out.push(...validateSelectorAndTemplate(s, 'spec', 'deployment').errs);
  out.push(...validateRSLikeTemplate(s, 'spec', 'ReplicaSet', 'invalid label selector'));
  if (old) out.push(...immutableSelector(s, specOf(old)));
  return out;
}

// ---- StatefulSet ----

function validateStatefulSetStrategy(s: JsonMap): FieldCause[] {
  const out: FieldCause[] = [];
  const us = getMap(s, 'updateStrategy');
  const type = getString(us, 'type');
  const ru = getMap(us, 'rollingUpdate');
  if (type === '') {
    out.push(fieldError.required('spec.updateStrategy'));
  } else if (type === 'OnDelete') {
    if (ru) out.push(invalidRendered('spec.updateStrategy.rollingUpdate', renderRollingUpdateSTS(ru), "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (type === 'RollingUpdate') {
    if (ru) {
      out.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      if (isSet(ru, 'maxUnavailable')) {
        const p = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        out.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
        if (intOrPercentValue(ru.maxUnavailable) === 0) out.push(invalidRendered(p, goIntOrString(ru.maxUnavailable), 'cannot be 0'));
        out.push(...notMoreThan100Percent(ru.maxUnavailable, p));
      }
    }
  } else {
    const rendered = `apps.StatefulSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:${goPtr('apps.RollingUpdateStatefulSetStrategy', ru)}}`;
    out.push(invalidRendered('spec.updateStrategy', rendered, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  return out;
}

function renderRollingUpdateSTS(ru: JsonMap): string {
  return `&apps.RollingUpdateStatefulSetStrategy{Partition:${getNumber(ru, 'partition') ?? 0}, MaxUnavailable:${goPtr('intstr.IntOrString', ru.maxUnavailable)}}`;
}

export function validateStatefulSet(obj: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [];
  const pmp = getString(s, 'podManagementPolicy');
  if (pmp === '') out.push(fieldError.required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    out.push(fieldError.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  out.push(...validateStatefulSetStrategy(s));
  const retention = getMap(s, 'persistentVolumeClaimRetentionPolicy');
  if (retention) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = getString(retention, f);
      if (v !== 'Retain' && v !== 'Delete') {
        out.push(fieldError.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
      }
    }
  }
  out.push(...nonNegative(s.replicas, 'spec.replicas'), ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  const ordinals = getMap(s, 'ordinals');
  if (ordinals) out.push(...nonNegative(ordinals.start, 'spec.ordinals.start'));
  out.push(...validateSelectorAndTemplate(s, 'spec', 'statefulset').errs);
  const selector = labelSelectorAsSelector(s.selector);
  if (selector.kind === 'error') {
    out.push(invalidRendered('spec.selector', renderSelectorPtr(s.selector), ''));
  } else {
    // Kubernetes checks only the template's metadata here, not its pod spec.
    const template = s.template;
    if (!selectorEmpty(selector) && !selectorMatches(selector, templateLabels(template))) out.push(selectorMismatch(template, 'spec.template'));
    out.push(...validateLabels(getMap(template, 'metadata')?.labels, 'spec.template.labels'));
    out.push(...validateAnnotations(getMap(template, 'metadata')?.annotations, 'spec.template.annotations'));
  }
  out.push(...restartAlways(s.template, 'spec.template', 'StatefulSet'));
  if (old) {
    const os = specOf(old);
    const a: JsonMap = clone(s);
    const b: JsonMap = clone(os);
    for (const f of ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy']) {
      delete a[f];
      delete b[f];
    }
    if (!semanticEqual(a, b)) {
      out.push(
        fieldError.forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return out;
}

// ---- DaemonSet ----

function validateDaemonSetStrategy(strategy: unknown): FieldCause[] {
  const type = getString(strategy, 'type');
  const ru = getMap(strategy, 'rollingUpdate');
  if (type === 'OnDelete') return [];
  if (type === 'RollingUpdate') {
    if (!ru) return [fieldError.required('spec.updateStrategy.rollingUpdate')];
    const p = 'spec.updateStrategy.rollingUpdate';
    const out = [
      ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
      ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
      ...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
      ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
    ];
    const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
    const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
    if (hasUnavailable && hasSurge) out.push(invalidRendered(`${p}.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
    if (!hasUnavailable && !hasSurge) out.push(fieldError.required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    return out;
  }
  const rendered = `&apps.DaemonSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:${goPtr('apps.RollingUpdateDaemonSet', ru)}}`;
  return [notSupportedRendered('spec.updateStrategy', rendered, ['RollingUpdate', 'OnDelete'])];
}

export function validateDaemonSet(obj: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [...validateLabelSelector(s.selector, 'spec.selector')];
  const selector = labelSelectorAsSelector(s.selector);
  if (selector.kind !== 'error' && !selectorMatches(selector, templateLabels(s.template))) out.push(selectorMismatch(s.template, 'spec.template'));
  const sel = getMap(s, 'selector');
  if (sel && Object.keys(getMap(sel, 'matchLabels') ?? {}).length + (getArray(sel, 'matchExpressions') ?? []).length === 0) {
    out.push(invalidRendered('spec.selector', goLabelSelector(sel), 'empty selector is invalid for daemonset'));
  }
  out.push(...validatePodTemplateSpec(s.template, 'spec.template'));
  out.push(...restartAlways(s.template, 'spec.template', 'DaemonSet'));
  out.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  out.push(...validateDaemonSetStrategy(s.updateStrategy));
  out.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old) out.push(...immutableSelector(s, specOf(old)));
  return out;
}

export function validateControllerRevision(obj: KubeObject, old?: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  if (obj.data === undefined || obj.data === null) out.push(fieldError.required('data', 'data is mandatory'));
  out.push(...nonNegative(obj.revision, 'revision'));
  if (old && !semanticEqual(obj.data, old.data)) out.push(invalidRendered('data', 'runtime.RawExtension{...}', IMMUTABLE));
  return out;
}

// ---- ReplicationController ----

export function validateReplicationController(obj: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [...nonNegative(s.minReadySeconds, 'spec.minReadySeconds')];
  const selector = getStringMap(s, 'selector') ?? {};
  if (Object.keys(selector).length === 0) out.push(fieldError.required('spec.selector'));
  out.push(...nonNegative(s.replicas, 'spec.replicas'));
  const template = s.template;
  if (!isMap(template)) {
    out.push(fieldError.required('spec.template'));
    return out;
  }
  if (Object.keys(selector).length > 0 && !mapSelectorMatches(selector, templateLabels(template))) out.push(selectorMismatch(template, 'spec.template'));
  out.push(...validatePodTemplateSpec(template, 'spec.template'));
  out.push(...restartAlways(template, 'spec.template', 'ReplicationController'));
  return out;
}

// ---- Job and CronJob ----

const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
const JOB_NAME = 'batch.kubernetes.io/job-name';

function hasLabel(labels: Record<string, string> | undefined, k: string, expected: string, path: string): FieldCause[] {
  const lp = `${path}.labels[${k}]`;
  if (!labels || !(k in labels)) return [fieldError.required(lp, `must be '${expected}'`)];
  if (labels[k] !== expected) return [invalidRendered(lp, goStringMap(labels), `must be '${expected}'`)];
  return [];
}

function validateGeneratedSelector(obj: KubeObject): FieldCause[] {
  const s = specOf(obj);
  if (s.manualSelector === true || !isMap(s.selector)) return [];
  const out: FieldCause[] = [];
  const uid = typeof obj.metadata.uid === 'string' ? obj.metadata.uid : '';
  const name = typeof obj.metadata.name === 'string' ? obj.metadata.name : '';
  if (!uid) out.push(fieldError.required('metadata.uid'));
  const labels = templateLabels(s.template);
  const tpath = 'spec.template.metadata';
  out.push(...hasLabel(labels, 'controller-uid', uid, tpath), ...hasLabel(labels, 'job-name', name, tpath));
  out.push(...hasLabel(labels, CONTROLLER_UID, uid, tpath), ...hasLabel(labels, JOB_NAME, name, tpath));
  const expected = { [CONTROLLER_UID]: uid, [JOB_NAME]: name, 'controller-uid': uid, 'job-name': name };
  const selector = labelSelectorAsSelector(s.selector);
  if (selector.kind !== 'error' && !selectorMatches(selector, expected)) {
    out.push(invalidRendered('spec.selector', goLabelSelector(s.selector), '`selector` not auto-generated'));
  }
  return out;
}

const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const REPLACEMENT_POLICIES = ['TerminatingOrFailed', 'Failed'];

/** The JobSpec checks shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(s: JsonMap, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    out.push(...nonNegative(s[f], child(path, f)));
  }
  const mode = s.completionMode;
  if (typeof mode === 'string' && !COMPLETION_MODES.includes(mode)) {
    out.push(fieldError.notSupported(child(path, 'completionMode'), mode, COMPLETION_MODES));
  }
  if (mode === 'Indexed' && !isSet(s, 'completions')) out.push(fieldError.required(child(path, 'completions'), 'when completion mode is Indexed'));
  const prp = s.podReplacementPolicy;
  if (typeof prp === 'string' && !REPLACEMENT_POLICIES.includes(prp)) {
    out.push(fieldError.notSupported(child(path, 'podReplacementPolicy'), prp, REPLACEMENT_POLICIES));
  }
  const tpath = child(path, 'template');
  out.push(...validatePodTemplateSpec(s.template, tpath));
  const rp = getString(getMap(s.template, 'spec'), 'restartPolicy');
  if (rp !== 'OnFailure' && rp !== 'Never') out.push(fieldError.notSupported(child(tpath, 'spec', 'restartPolicy'), rp, ['OnFailure', 'Never']));
  return out;
}

function validateJobTemplateUpdate(s: JsonMap, os: JsonMap, oldObj: KubeObject): FieldCause[] {
  const oldStatus = getMap(oldObj, 'status');
  const mutableScheduling = os.suspend === true && !isSet(oldStatus, 'startTime');
  const a: JsonMap = clone(isMap(s.template) ? s.template : {});
  const b: JsonMap = clone(isMap(os.template) ? os.template : {});
  if (mutableScheduling) {
    for (const t of [a, b]) {
      const meta = getMap(t, 'metadata');
      if (meta) {
        delete meta.labels;
        delete meta.annotations;
      }
      const ts = getMap(t, 'spec');
      if (ts) {
        for (const f of ['nodeSelector', 'tolerations', 'schedulingGates']) delete ts[f];
        const aff = getMap(ts, 'affinity');
        if (aff) delete aff.nodeAffinity;
      }
    }
  }
  return semanticEqual(a, b) ? [] : [invalidRendered('spec.template', 'core.PodTemplateSpec{...}', IMMUTABLE)];
}

export function validateJob(obj: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [];
  if (!old) out.push(...validateGeneratedSelector(obj));
  out.push(...validateJobSpecCommon(s, 'spec'));
  if (!isMap(s.selector)) out.push(fieldError.required('spec.selector'));
  else out.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const selector = labelSelectorAsSelector(s.selector);
  if (selector.kind !== 'error' && !selectorMatches(selector, templateLabels(s.template))) out.push(selectorMismatch(s.template, 'spec.template'));
  if (old) {
    const os = specOf(old);
    const indexedElastic = s.completionMode === 'Indexed' && s.parallelism === s.completions && os.parallelism === os.completions;
    if (!indexedElastic && !semanticEqual(s.completions, os.completions)) {
      out.push(s.completions === undefined ? invalidRendered('spec.completions', 'null', IMMUTABLE) : fieldError.invalid('spec.completions', s.completions, IMMUTABLE));
    }
    if (!semanticEqual(s.selector, os.selector)) out.push(invalidRendered('spec.selector', renderSelectorPtr(s.selector), IMMUTABLE));
    out.push(...validateJobTemplateUpdate(s, os, old));
    for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
      if (!semanticEqual(s[f], os[f])) out.push(typeof s[f] === 'string' ? fieldError.invalid(`spec.${f}`, s[f], IMMUTABLE) : invalidRendered(`spec.${f}`, 'null', IMMUTABLE));
    }
  }
  return out;
}

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

export function validateCronJob(obj: KubeObject, old?: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [];
  const name = typeof obj.metadata.name === 'string' ? obj.metadata.name : '';
  if (!old && name.length > 52) out.push(fieldError.invalid('metadata.name', name, 'must be no more than 52 characters'));
  const schedule = getString(s, 'schedule');
  const tz = s.timeZone;
  if (!schedule) {
    out.push(fieldError.required('spec.schedule'));
  } else {
    const err = cronParseError(schedule);
    if (err) out.push(fieldError.invalid('spec.schedule', schedule, err));
    const allowTZ = old ? getString(specOf(old), 'schedule').includes('TZ') : false;
    if (allowTZ && schedule.includes('TZ') && typeof tz === 'string') {
      out.push(fieldError.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      out.push(fieldError.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  if (typeof tz === 'string') for (const m of timeZoneErrors(tz)) out.push(fieldError.invalid('spec.timeZone', tz, m));
  out.push(...nonNegative(s.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const cp = getString(s, 'concurrencyPolicy');
  if (!cp) out.push(fieldError.required('spec.concurrencyPolicy'));
  else if (!CONCURRENCY_POLICIES.includes(cp)) out.push(fieldError.notSupported('spec.concurrencyPolicy', cp, CONCURRENCY_POLICIES));
  const jt = getMap(s, 'jobTemplate');
  const jtMeta = getMap(jt, 'metadata');
  out.push(...validateLabels(jtMeta?.labels, 'spec.jobTemplate.metadata.labels'));
  out.push(...validateAnnotations(jtMeta?.annotations, 'spec.jobTemplate.metadata.annotations'));
  const js = getMap(jt, 'spec') ?? {};
  out.push(...validateJobSpecCommon(js, 'spec.jobTemplate.spec'));
  if (isMap(js.selector)) out.push(invalidRendered('spec.jobTemplate.spec.selector', goLabelSelector(js.selector), '`selector` will be auto-generated'));
  if (js.manualSelector === true) out.push(invalidRendered('spec.jobTemplate.spec.manualSelector', 'true', 'supported values: "nil", "false"'));
  out.push(...nonNegative(s.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  out.push(...nonNegative(s.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return out;
}

// ---- HorizontalPodAutoscaler, PodDisruptionBudget ----

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

export function validateHPA(obj: KubeObject, version: string): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [];
  const min = s.minReplicas;
  const max = getNumber(s, 'maxReplicas') ?? 0;
  if (typeof min === 'number' && min < 1) out.push(fieldError.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) out.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min) out.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  const ref = getMap(s, 'scaleTargetRef');
  for (const f of ['kind', 'name']) {
    const v = getString(ref, f);
    const p = `spec.scaleTargetRef.${f}`;
    if (!v) out.push(fieldError.required(p));
    else for (const m of isValidPathSegmentName(v)) out.push(fieldError.invalid(p, v, m));
  }
  if (version !== 'v1') {
    (getArray(s, 'metrics') ?? []).forEach((m, i) => {
      const type = getString(m, 'type');
      const p = `spec.metrics[${i}].type`;
      if (!type) out.push(fieldError.required(p, `must specify a metric source type (${METRIC_TYPES.map(goQuote).join(', ')})`));
      else if (!METRIC_TYPES.includes(type)) out.push(fieldError.notSupported(p, type, METRIC_TYPES));
    });
  } else {
    const target = s.targetCPUUtilizationPercentage;
    if (typeof target === 'number' && target < 1) {
      out.push(fieldError.invalid('spec.metrics[0].resource.target.averageUtilization', target, 'must be greater than 0'));
    }
  }
  return out;
}

export function validatePDB(obj: KubeObject): FieldCause[] {
  const s = specOf(obj);
  const out: FieldCause[] = [];
  if (isSet(s, 'minAvailable') && isSet(s, 'maxUnavailable')) {
    const rendered = `policy.PodDisruptionBudgetSpec{MinAvailable:${goPtr('intstr.IntOrString', s.minAvailable)}, Selector:${goPtr('v1.LabelSelector', s.selector)}, MaxUnavailable:${goPtr('intstr.IntOrString', s.maxUnavailable)}, UnhealthyPodEvictionPolicy:${goPtr('policy.UnhealthyPodEvictionPolicyType', s.unhealthyPodEvictionPolicy)}}`;
    out.push(invalidRendered('spec', rendered, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!isSet(s, f)) continue;
    out.push(...validatePositiveIntOrPercent(s[f], `spec.${f}`), ...notMoreThan100Percent(s[f], `spec.${f}`));
  }
  out.push(...validateLabelSelector(s.selector, 'spec.selector', true));
  const policy = s.unhealthyPodEvictionPolicy;
  if (typeof policy === 'string' && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    out.push(fieldError.notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return out;
}
