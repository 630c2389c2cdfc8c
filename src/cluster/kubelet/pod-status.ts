/**
 * Pod status as the kubelet computes it from its containers' statuses, ported from
 * kubelet_pods.go (getPhase) and pkg/kubelet/status (the Initialized, ContainersReady, Ready and
 * PodReadyToStartContainers conditions): pure functions, so the rules can be tested without
 * running anything.
 */
import type { ContainerSpec, ContainerStatus, PodCondition, PodSpec, PodStatus } from './types.js';

export type PodPhase = NonNullable<PodStatus['phase']>;

export function isSidecar(c: ContainerSpec): boolean {
  return c.restartPolicy === 'Always';
}

function statusOf(list: ContainerStatus[], name: string): ContainerStatus | undefined {
  return list.find((s) => s.name === name);
}

function anyRegularStarted(spec: PodSpec, statuses: ContainerStatus[]): boolean {
  return spec.containers.some((c) => {
    const s = statusOf(statuses, c.name);
    return !!s && (s.state.running !== undefined || s.state.terminated !== undefined || s.lastState.terminated !== undefined);
  });
}

/** kubelet getPhase. */
export function podPhase(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], podIsTerminal: boolean): PodPhase {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    if (isSidecar(c)) continue;
    const s = statusOf(initStatuses, c.name);
    if (!s || s.state.running) pendingInitialization++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (!isSidecar(c)) continue;
    const s = statusOf(initStatuses, c.name);
    if (!s) {
      unknown++;
    } else if (s.state.running) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (s.state.waiting && !s.lastState.terminated) {
      pendingInitialization++;
      waiting++;
    } else if (!s.state.terminated && !s.state.waiting) {
      pendingInitialization++;
      unknown++;
    }
  }
  for (const c of spec.containers) {
    const s = statusOf(statuses, c.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !anyRegularStarted(spec, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type GeneratedCondition = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;

/** `[a b]`, as Go prints a []string with %s. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

export function initializedCondition(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], phase: PodPhase): GeneratedCondition {
  const incomplete: string[] = [];
  for (const c of spec.initContainers ?? []) {
    const s = statusOf(initStatuses, c.name);
    const done = isSidecar(c) ? s?.started === true : s?.state.terminated?.exitCode === 0;
    if (!done) incomplete.push(c.name);
  }
  if (incomplete.length === 0 || anyRegularStarted(spec, statuses)) return { type: 'Initialized', status: 'True' };
  if (phase === 'Succeeded') return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${goList(incomplete)}` };
}

export function containersReadyCondition(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], phase: PodPhase): GeneratedCondition {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of spec.initContainers ?? []) {
    if (!isSidecar(c)) continue;
    const s = statusOf(initStatuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  for (const c of spec.containers) {
    const s = statusOf(statuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length > 0) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length > 0) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: messages.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

/** Ready = ContainersReady and every readiness gate's condition True. */
export function readyCondition(containersReady: GeneratedCondition, readinessGates: string[], existing: PodCondition[]): GeneratedCondition {
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const unmet: string[] = [];
  for (const gate of readinessGates) {
    const c = existing.find((x) => x.type === gate);
    if (!c) unmet.push(`corresponding condition of pod readiness gate ${JSON.stringify(gate)} does not exist.`);
    else if (c.status !== 'True') unmet.push(`the status of pod readiness gate ${JSON.stringify(gate)} is not "True", but ${c.status}`);
  }
  if (unmet.length > 0) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: unmet.join(', ') };
  return { type: 'Ready', status: 'True' };
}

const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

/**
 * The kubelet's conditions in Kubernetes' order, each keeping its lastTransitionTime while its
 * status is unchanged; conditions others own (readiness gates, DisruptionTarget, ...) are kept.
 */
export function mergeConditions(existing: PodCondition[], generated: GeneratedCondition[], now: string): PodCondition[] {
  const out: PodCondition[] = [];
  for (const g of generated) {
    const prev = existing.find((c) => c.type === g.type);
    const lastTransitionTime = prev && prev.status === g.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    const c: PodCondition = { type: g.type, status: g.status, lastProbeTime: null, lastTransitionTime };
    if (g.reason) c.reason = g.reason;
    if (g.message) c.message = g.message;
    out.push(c);
  }
  for (const c of existing) if (!KUBELET_CONDITIONS.includes(c.type) || !out.some((o) => o.type === c.type)) out.push(c);
  return out;
}

export interface PodStatusInput {
  spec: PodSpec;
  existing: PodStatus;
  initStatuses: ContainerStatus[];
  statuses: ContainerStatus[];
  sandboxReady: boolean;
  /** A reason the sandbox is not ready (e.g. a volume failed to mount), for PodReadyToStartContainers. */
  sandboxProblem?: { reason: string; message: string };
  podIsTerminal: boolean;
  /** Set once the kubelet has decided the pod's end (e.g. DeadlineExceeded). */
  forcedPhase?: { phase: PodPhase; reason?: string; message?: string };
  podIP?: string;
  hostIP: string;
  startTime: string;
  now: string;
  readinessGates: string[];
}

/** The whole kubelet-owned part of a pod's status. */
export function computePodStatus(input: PodStatusInput): PodStatus {
  const { spec, initStatuses, statuses } = input;
  const phase = input.forcedPhase?.phase ?? podPhase(spec, initStatuses, statuses, input.podIsTerminal);
  const existingConditions = input.existing.conditions ?? [];
  const readyToStart: GeneratedCondition = input.sandboxReady
    ? { type: 'PodReadyToStartContainers', status: 'True' }
    : { type: 'PodReadyToStartContainers', status: 'False', ...(input.sandboxProblem ?? {}) };
  const containersReady = containersReadyCondition(spec, initStatuses, statuses, phase);
  const generated: GeneratedCondition[] = [
    readyToStart,
    initializedCondition(spec, initStatuses, statuses, phase),
    readyCondition(containersReady, input.readinessGates, existingConditions),
    containersReady,
    { type: 'PodScheduled', status: 'True' },
  ];
  const status: PodStatus = { ...input.existing, phase, conditions: mergeConditions(existingConditions, generated, input.now) };
  delete status.reason;
  delete status.message;
  if (input.forcedPhase?.reason) status.reason = input.forcedPhase.reason;
  if (input.forcedPhase?.message) status.message = input.forcedPhase.message;
  status.hostIP = input.hostIP;
  status.hostIPs = [{ ip: input.hostIP }];
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  status.startTime = input.startTime;
  if ((spec.initContainers ?? []).length > 0) status.initContainerStatuses = initStatuses;
  else delete status.initContainerStatuses;
  status.containerStatuses = statuses;
  return status;
}
