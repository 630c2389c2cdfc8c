/**
 * What the namespaced pod network created, written to a file under the cluster's data dir so a
 * restarted (or crashed) cluster finds its bridge, subnet and sandboxes again instead of leaking
 * them. Writes are coalesced: at most one write in flight, the latest state always wins.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SandboxRecord {
  netns: string;
  veth: string;
  ip: string;
  namespace: string;
  name: string;
}

export interface NetworkState {
  /** Short random id that makes bridge, veth and netns names unique per cluster. */
  id: string;
  bridge: string;
  /** The /16 this cluster owns: pods in the lower half, Services in the upper half. */
  subnet: string;
  /** Offset (within the pod range) of the last address handed out: allocation goes round-robin. */
  lastOffset: number;
  sandboxes: Record<string, SandboxRecord>;
}

export const STATE_FILE = 'pod-network.json';

export function readState(stateDir: string): NetworkState | undefined {
  const file = path.join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as Partial<NetworkState>;
    if (typeof s.id !== 'string' || !/^[0-9a-f]{6}$/.test(s.id) || typeof s.bridge !== 'string' || typeof s.subnet !== 'string') return undefined;
    return { id: s.id, bridge: s.bridge, subnet: s.subnet, lastOffset: typeof s.lastOffset === 'number' ? s.lastOffset : 0, sandboxes: s.sandboxes && typeof s.sandboxes === 'object' ? s.sandboxes : {} };
  } catch {
    // A torn write: what it named is found again by name prefix (see NamespacedPodNetwork.start).
    return undefined;
  }
}

export class StateWriter {
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly stateDir: string,
    private readonly snapshot: () => NetworkState,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Schedules a write of the current state. */
  save(): void {
    this.dirty = true;
    this.writing ??= this.loop();
  }

  /** Resolves once everything saved so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Synchronous write (start-up and before removal decisions). */
  saveNow(): void {
    writeAtomically(this.stateDir, JSON.stringify(this.snapshot()));
  }

  remove(): void {
    fs.rmSync(path.join(this.stateDir, STATE_FILE), { force: true });
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const text = JSON.stringify(this.snapshot());
        const tmp = path.join(this.stateDir, `${STATE_FILE}.tmp`);
        await fs.promises.writeFile(tmp, text, { mode: 0o600 });
        await fs.promises.rename(tmp, path.join(this.stateDir, STATE_FILE));
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.writing = undefined;
    }
  }
}

function writeAtomically(dir: string, text: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${STATE_FILE}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, STATE_FILE));
}
