/** Pods and pod templates, as kube-apiserver prints them. */
import type { KubeObject } from '../../objects.js';
import { formatLabels } from '../../query/label-selector.js';
import { parseTimestamp, timestampSince } from '../duration.js';
import { podSpecDoc, podStatusDoc } from './docs.js';
import {
  ageColumn,
  column,
  containerCells,
  int,
  list,
  nameColumn,
  obj,
  str,
  strMap,
  type Obj,
  type PrintContext,
  type PrintedRow,
  type Printer,
  type TableRowCondition,
} from './types.js';

const podSucceeded: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const podFailed: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

const isRestartableInit = (c: Obj | undefined): boolean => c !== undefined && c.restartPolicy === 'Always';

function conditionStatus(conditions: Obj[], type: string): string | undefined {
  return conditions.find((c) => c.type === type)?.status as string | undefined;
}

/** Finished-at of a container's last termination, in ms; undefined when unset. */
function lastTerminated(status: Obj): number | undefined {
  return parseTimestamp(obj(obj(status.lastState).terminated).finishedAt);
}

function terminatedReason(t: Obj, prefix: string): string {
  if (str(t.reason) !== '') return prefix + str(t.reason);
  const signal = int(t.signal);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${int(t.exitCode)}`;
}

function podRow(pod: KubeObject, ctx: PrintContext): PrintedRow {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const conditions = list(status.conditions);
  const phase = str(status.phase);
  const initContainers = list(spec.initContainers);
  const initByName = new Map(initContainers.map((c) => [str(c.name), c]));

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = list(spec.containers).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined => (b !== undefined && (a === undefined || a < b) ? b : a);

  let reason = str(status.reason) !== '' ? str(status.reason) : phase;
  for (const c of conditions) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const row: PrintedRow = { cells: [] };
  if (phase === 'Succeeded') row.conditions = podSucceeded;
  else if (phase === 'Failed') row.conditions = podFailed;

  for (const c of initContainers) if (isRestartableInit(c)) totalContainers++;

  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = obj(cs.state);
    const terminated = state.terminated === undefined || state.terminated === null ? undefined : obj(state.terminated);
    const waiting = state.waiting === undefined || state.waiting === null ? undefined : obj(state.waiting);
    restarts += int(cs.restartCount);
    lastRestart = later(lastRestart, lastTerminated(cs));
    const restartable = isRestartableInit(initByName.get(str(cs.name)));
    if (restartable) {
      restartableInitRestarts += int(cs.restartCount);
      lastRestartableInitRestart = later(lastRestartableInitRestart, lastTerminated(cs));
    }
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready === true) readyContainers++;
      continue;
    }
    if (terminated) reason = terminatedReason(terminated, 'Init:');
    else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') reason = `Init:${str(waiting.reason)}`;
    else reason = `Init:${i}/${initContainers.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionStatus(conditions, 'Initialized') === 'True') {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = list(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = obj(cs.state);
      const terminated = state.terminated === undefined || state.terminated === null ? undefined : obj(state.terminated);
      const waiting = state.waiting === undefined || state.waiting === null ? undefined : obj(state.waiting);
      restarts += int(cs.restartCount);
      lastRestart = later(lastRestart, lastTerminated(cs));
      if (waiting && str(waiting.reason) !== '') reason = str(waiting.reason);
      else if (terminated) reason = terminatedReason(terminated, '');
      else if (cs.ready === true && state.running !== undefined && state.running !== null) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsCell = `${restarts} (${timestampSince(new Date(lastRestart).toISOString(), ctx.now)} ago)`;
  }

  const podIPs = list(status.podIPs);
  const podIP = (podIPs.length > 0 ? str(podIPs[0].ip) : str(status.podIP)) || '<none>';
  let readinessGates = '<none>';
  const gates = list(spec.readinessGates);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const cond = conditions.find((c) => c.type === gate.conditionType);
      if (cond?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  row.cells.push(
    pod.metadata?.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    timestampSince(pod.metadata?.creationTimestamp, ctx.now),
    podIP,
    str(spec.nodeName) || '<none>',
    str(status.nominatedNodeName) || '<none>',
    readinessGates,
  );
  return row;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    column('IP', 'string', podStatusDoc.podIP, 1),
    column('Node', 'string', podSpecDoc.nodeName, 1),
    column('Nominated Node', 'string', podStatusDoc.nominatedNodeName, 1),
    column('Readiness Gates', 'string', podSpecDoc.readinessGates, 1),
  ],
  row: podRow,
};

export const podTemplatePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Containers', 'string', 'Names of each container in the template.'),
    column('Images', 'string', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  row(o) {
    const template = obj(o.template);
    const [names, images] = containerCells(obj(template.spec).containers);
    return { cells: [o.metadata?.name ?? '', names, images, formatLabels(strMap(obj(template.metadata).labels))] };
  },
};
