/**
 * The on-disk half of the object store: an LMDB environment holding one JSON document per object
 * and the cluster's resourceVersion counter. LMDB batches the writes issued in one event-loop turn
 * into a single transaction and, with synchronous commits, resolves each write's promise only after
 * the transaction is on disk — which is exactly "acknowledge only once durable", with group commit
 * for free.
 */
import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';

const RV_KEY = '\u0000meta\u0000resourceVersion';
const SEP = '\u0000';

export interface LoadedObject {
  resource: string;
  key: string;
  json: string;
}

export class DurableBackend {
  private constructor(
    private readonly env: RootDatabase<string, string>,
    private readonly db: Database<string, string>,
  ) {}

  static open(dataDir: string): DurableBackend {
    const dir = path.join(dataDir, 'store');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    // noSync/overlappingSync off: a commit returns only after fsync, so acknowledged writes survive SIGKILL.
    const env = open<string, string>({ path: dir, encoding: 'string', noSync: false, overlappingSync: false, compression: false });
    return new DurableBackend(env, env);
  }

  /**
   * Every stored object, in key order, and the resourceVersion counter as last recorded (by a
   * removal); the objects' own resourceVersions may be newer, and the store resumes after the highest.
   */
  load(): { objects: LoadedObject[]; resourceVersion: number } {
    const objects: LoadedObject[] = [];
    for (const { key, value } of this.db.getRange({})) {
      if (key === RV_KEY) continue;
      const first = key.indexOf(SEP);
      objects.push({ resource: key.slice(0, first), key: key.slice(first + 1), json: value });
    }
    const rv = Number(this.db.get(RV_KEY) ?? '0');
    return { objects, resourceVersion: Number.isFinite(rv) ? rv : 0 };
  }

  /**
   * Resolves once the write (and every write issued before it) is durable. The counter is not
   * written here: the object's JSON carries its resourceVersion and ObjectStore.open restarts from
   * the highest of those and the counter, so only removals (which leave no object) must record it
   * — one LMDB write fewer on every create and update.
   */
  put(resource: string, key: string, json: string, _resourceVersion: number): Promise<unknown> {
    return this.db.put(resource + SEP + key, json);
  }

  remove(resource: string, key: string, resourceVersion: number): Promise<unknown> {
    this.recordResourceVersion(resourceVersion);
    return this.db.remove(resource + SEP + key);
  }

  /** Issued in the same turn as the removal, so LMDB commits both in one transaction. */
  private recordResourceVersion(rv: number): void {
    // A failed commit rejects the object write's promise too; that one carries the error.
    this.db.put(RV_KEY, String(rv)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}
