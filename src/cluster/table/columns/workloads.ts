/**
 * Workload controllers and their companions (deployments, replica sets, stateful sets, daemon sets,
 * replication controllers, jobs, cron jobs, HPAs, PDBs, controller revisions) as kube-apiserver
 * prints them.
 */
import type { KubeObject } from '../../objects.js';
import { formatLabels, formatLabelSelector, labelSelectorToString, type LabelSelectorObject } from '../../query/label-selector.js';
import { humanDuration, parseTimestamp, timestampSince } from '../duration.js';
import { cronJobDoc, daemonSetDoc, deploymentDoc, hpaDoc, jobDoc, podSpecDoc, replicaSetDoc, replicationControllerDoc } from './docs.js';
import {
  ageColumn,
  boolPtr,
  column,
  containerCells,
  containersColumn,
  imagesColumn,
  int,
  intOrString,
  list,
  nameColumn,
  obj,
  str,
  strMap,
  type Obj,
  type Printer,
} from './types.js';

const name = (o: KubeObject): string => o.metadata?.name ?? '';
const selectorOf = (v: unknown): LabelSelectorObject | null => (v === undefined || v === null ? null : (obj(v) as LabelSelectorObject));
const templateContainers = (spec: Obj): unknown => obj(obj(spec.template).spec).containers;

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', deploymentDoc.updatedReplicas),
    column('Available', 'string', deploymentDoc.availableReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column('Selector', 'string', deploymentDoc.selector, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    let selector: string;
    try {
      selector = labelSelectorToString(selectorOf(spec.selector));
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = containerCells(templateContainers(spec));
    return {
      cells: [
        name(o),
        `${int(status.readyReplicas)}/${int(spec.replicas, 1)}`,
        int(status.updatedReplicas),
        int(status.availableReplicas),
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
        names,
        images,
        selector,
      ],
    };
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', replicaSetDoc.specReplicas),
    column('Current', 'integer', replicaSetDoc.statusReplicas),
    column('Ready', 'integer', replicaSetDoc.statusReadyReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column('Selector', 'string', replicaSetDoc.specSelector, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const [names, images] = containerCells(templateContainers(spec));
    return {
      cells: [
        name(o),
        int(spec.replicas, 1),
        int(status.replicas),
        int(status.readyReplicas),
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
        names,
        images,
        formatLabelSelector(selectorOf(spec.selector)),
      ],
    };
  },
};

export const replicationControllerPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', replicationControllerDoc.specReplicas),
    column('Current', 'integer', replicationControllerDoc.statusReplicas),
    column('Ready', 'integer', replicationControllerDoc.statusReadyReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column('Selector', 'string', replicationControllerDoc.specSelector, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const [names, images] = containerCells(templateContainers(spec));
    return {
      cells: [
        name(o),
        int(spec.replicas, 1),
        int(status.replicas),
        int(status.readyReplicas),
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
        names,
        images,
        formatLabels(strMap(spec.selector)),
      ],
    };
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn(), column('Ready', 'string', 'Number of the pod with ready state'), ageColumn(), containersColumn(), imagesColumn()],
  row(o, ctx) {
    const spec = obj(o.spec);
    const [names, images] = containerCells(templateContainers(spec));
    return {
      cells: [name(o), `${int(obj(o.status).readyReplicas)}/${int(spec.replicas, 1)}`, timestampSince(o.metadata?.creationTimestamp, ctx.now), names, images],
    };
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', daemonSetDoc.desiredNumberScheduled),
    column('Current', 'integer', daemonSetDoc.currentNumberScheduled),
    column('Ready', 'integer', daemonSetDoc.numberReady),
    column('Up-to-date', 'integer', daemonSetDoc.updatedNumberScheduled),
    column('Available', 'integer', daemonSetDoc.numberAvailable),
    column('Node Selector', 'string', podSpecDoc.nodeSelector),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column('Selector', 'string', daemonSetDoc.selector, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const podSpec = obj(obj(spec.template).spec);
    const [names, images] = containerCells(podSpec.containers);
    return {
      cells: [
        name(o),
        int(status.desiredNumberScheduled),
        int(status.currentNumberScheduled),
        int(status.numberReady),
        int(status.updatedNumberScheduled),
        int(status.numberAvailable),
        formatLabels(strMap(podSpec.nodeSelector)),
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
        names,
        images,
        formatLabelSelector(selectorOf(spec.selector)),
      ],
    };
  },
};

/** `hasJobCondition`: the status of the first condition of that type is True. */
function hasJobCondition(conditions: Obj[], type: string): boolean {
  const c = conditions.find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', jobDoc.statusSucceeded),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column('Selector', 'string', jobDoc.specSelector, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const succeeded = int(status.succeeded);
    let completions: string;
    if (typeof spec.completions === 'number') {
      completions = `${succeeded}/${int(spec.completions)}`;
    } else {
      const parallelism = int(spec.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTimestamp(status.startTime);
    const completion = parseTimestamp(status.completionTime);
    let duration = '';
    if (start !== undefined) duration = humanDuration((completion ?? ctx.now.getTime()) - start);
    const conditions = list(status.conditions);
    let state: string;
    if (hasJobCondition(conditions, 'Complete')) state = 'Complete';
    else if (hasJobCondition(conditions, 'Failed')) state = 'Failed';
    else if (o.metadata?.deletionTimestamp) state = 'Terminating';
    else if (hasJobCondition(conditions, 'Suspended')) state = 'Suspended';
    else if (hasJobCondition(conditions, 'FailureTarget')) state = 'FailureTarget';
    else state = 'Running';
    const [names, images] = containerCells(templateContainers(spec));
    return {
      cells: [name(o), state, completions, duration, timestampSince(o.metadata?.creationTimestamp, ctx.now), names, images, formatLabelSelector(selectorOf(spec.selector))],
    };
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Schedule', 'string', cronJobDoc.schedule),
    column('Timezone', 'string', cronJobDoc.timeZone),
    column('Suspend', 'boolean', cronJobDoc.suspend),
    column('Active', 'integer', cronJobDoc.active),
    column('Last Schedule', 'string', cronJobDoc.lastScheduleTime),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column('Selector', 'string', jobDoc.specSelector, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const jobSpec = obj(obj(spec.jobTemplate).spec);
    const [names, images] = containerCells(templateContainers(jobSpec));
    const last = status.lastScheduleTime === undefined || status.lastScheduleTime === null ? '<none>' : timestampSince(status.lastScheduleTime, ctx.now);
    return {
      cells: [
        name(o),
        str(spec.schedule),
        typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
        boolPtr(spec.suspend),
        list(status.active).length,
        last,
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
        names,
        images,
        formatLabelSelector(selectorOf(jobSpec.selector)),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// HorizontalPodAutoscaler (the internal type is autoscaling/v2's; v1 objects are converted)

interface HpaMetrics {
  specs: Obj[];
  statuses: Obj[];
}

function hpaMetrics(o: KubeObject): HpaMetrics {
  const spec = obj(o.spec);
  const status = obj(o.status);
  if (Array.isArray(spec.metrics) || typeof spec.targetCPUUtilizationPercentage !== 'number') {
    return { specs: list(spec.metrics), statuses: list(status.currentMetrics) };
  }
  // autoscaling/v1
  const statuses: Obj[] = [];
  if (typeof status.currentCPUUtilizationPercentage === 'number') {
    statuses.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
  }
  return {
    specs: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }],
    statuses,
  };
}

function quantityString(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v) || '0';
}

function formatHpaMetric(spec: Obj, status: Obj | undefined): string {
  const valueOrAvg = (source: string): string => {
    const target = obj(obj(spec[source]).target);
    const current = status && status[source] !== undefined ? obj(obj(status[source]).current) : undefined;
    if (target.averageValue !== undefined && target.averageValue !== null) {
      const cur = current && current.averageValue !== undefined ? quantityString(current.averageValue) : '<unknown>';
      return `${cur}/${quantityString(target.averageValue)} (avg)`;
    }
    const cur = current ? quantityString(current.value) : '<unknown>';
    return `${cur}/${quantityString(target.value)}`;
  };
  const resource = (source: 'resource' | 'containerResource'): string => {
    const s = obj(spec[source]);
    const target = obj(s.target);
    const current = status && status[source] !== undefined ? obj(obj(status[source]).current) : undefined;
    if (target.averageValue !== undefined && target.averageValue !== null) {
      const cur = current ? quantityString(current.averageValue) : '<unknown>';
      return `${str(s.name)}: ${cur}/${quantityString(target.averageValue)}`;
    }
    const cur = current && typeof current.averageUtilization === 'number' ? `${current.averageUtilization}%` : '<unknown>';
    const tgt = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
    return `${str(s.name)}: ${cur}/${tgt}`;
  };
  switch (spec.type) {
    case 'External':
      return valueOrAvg('external');
    case 'Object':
      return valueOrAvg('object');
    case 'Pods': {
      const status0 = status && status.pods !== undefined ? obj(obj(status.pods).current) : undefined;
      return `${status0 ? quantityString(status0.averageValue) : '<unknown>'}/${quantityString(obj(obj(spec.pods).target).averageValue)}`;
    }
    case 'Resource':
      return resource('resource');
    case 'ContainerResource':
      return resource('containerResource');
    default:
      return '<unknown type>';
  }
}

function formatHpaMetrics(m: HpaMetrics): string {
  if (m.specs.length === 0) return '<none>';
  const max = 2;
  const items = m.specs.map((s, i) => formatHpaMetric(s, m.statuses.length > i ? m.statuses[i] : undefined));
  if (items.length > max) return `${items.slice(0, max).join(', ')} + ${items.length - max} more...`;
  return items.join(', ');
}

export const hpaPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Reference', 'string', hpaDoc.scaleTargetRef),
    column('Targets', 'string', hpaDoc.metrics),
    column('MinPods', 'string', hpaDoc.minReplicas),
    column('MaxPods', 'string', hpaDoc.maxReplicas),
    column('Replicas', 'string', hpaDoc.currentReplicas),
    ageColumn(),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const ref = obj(spec.scaleTargetRef);
    return {
      cells: [
        name(o),
        `${str(ref.kind)}/${str(ref.name)}`,
        formatHpaMetrics(hpaMetrics(o)),
        typeof spec.minReplicas === 'number' ? String(Math.trunc(spec.minReplicas)) : '<unset>',
        int(spec.maxReplicas),
        int(obj(o.status).currentReplicas),
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
      ],
    };
  },
};

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const present = (v: unknown): boolean => v !== undefined && v !== null;
    return {
      cells: [
        name(o),
        present(spec.minAvailable) ? intOrString(spec.minAvailable) : 'N/A',
        present(spec.maxUnavailable) ? intOrString(spec.maxUnavailable) : 'N/A',
        int(obj(o.status).disruptionsAllowed),
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
      ],
    };
  },
};

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  row(o, ctx) {
    const owner = (o.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    let controller = '<none>';
    if (owner) {
      const slash = owner.apiVersion.indexOf('/');
      const group = slash >= 0 ? owner.apiVersion.slice(0, slash) : '';
      const kind = group ? `${owner.kind}.${group}` : owner.kind;
      controller = owner.kind ? `${kind.toLowerCase()}/${owner.name}` : owner.name;
    }
    return { cells: [name(o), controller, int(o.revision), timestampSince(o.metadata?.creationTimestamp, ctx.now)] };
  },
};
