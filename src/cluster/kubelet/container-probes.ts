/**
 * A container run's probes, wired as the kubelet wires them: the startup probe first (the
 * container is `started` when it passes); then readiness (sets `ready`) and liveness. A failed
 * startup or liveness probe restarts the container; every failed attempt is an `Unhealthy` event.
 */
import type { ContainerRun, ContainerRuntime } from './container-runtime.js';
import { ProbeLoop, runProbe, type ProbeKind, type ProbeTarget } from './probes.js';
import type { Probe } from './types.js';

export interface ProbeWiring {
  /** The pod's address, where httpGet and tcpSocket probes connect. */
  host: string;
  exec: ProbeTarget['exec'];
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** `started` or `ready` changed. */
  changed(): void;
  restart(which: 'liveness' | 'startup', probe: Probe): void;
}

export function startContainerProbes(c: ContainerRuntime, run: ContainerRun, w: ProbeWiring): void {
  const target: ProbeTarget = { host: w.host, ports: c.spec.ports ?? [], exec: w.exec };
  const loop = (kind: ProbeKind, probe: Probe, onResult: (ok: boolean) => void): void => {
    const l = new ProbeLoop(kind, probe, (timeoutMs) => runProbe(probe, target, timeoutMs), {
      onResult: (ok) => {
        if (c.run === run) onResult(ok);
      },
      onFailedAttempt: (message) => {
        if (c.run === run) w.event('Warning', 'Unhealthy', `${kind} probe failed: ${message}`);
      },
    });
    run.probes.push(l);
    l.start();
  };
  const afterStartup = (): void => {
    const { readinessProbe, livenessProbe } = c.spec;
    if (readinessProbe) {
      loop('Readiness', readinessProbe, (ok) => {
        if (c.ready === ok) return;
        c.ready = ok;
        w.changed();
      });
    }
    if (livenessProbe) loop('Liveness', livenessProbe, (ok) => !ok && w.restart('liveness', livenessProbe));
  };
  const startup = c.spec.startupProbe;
  if (!startup) return afterStartup();
  loop('Startup', startup, (ok) => {
    if (!ok) return w.restart('startup', startup);
    c.started = true;
    if (!c.spec.readinessProbe) c.ready = true;
    w.changed();
    afterStartup();
  });
}
