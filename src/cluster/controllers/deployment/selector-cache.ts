/**
 * Each owner's parsed `spec.selector`, by uid, parsed again only when the selector changed: the
 * Deployment and ReplicaSet controllers match every candidate and every orphan's change against it.
 */
import { labelSelectorAsSelector, type Selector } from '../../builtin/selectors.js';
import type { KubeObject } from '../../objects.js';

export class SelectorCache {
  private readonly byUid = new Map<string, { source: string; selector: Selector }>();

  selectorOf(owner: KubeObject): Selector {
    const spec = (owner.spec as { selector?: unknown } | undefined)?.selector;
    const source = JSON.stringify(spec ?? null);
    const cached = this.byUid.get(owner.metadata.uid!);
    if (cached && cached.source === source) return cached.selector;
    const selector = labelSelectorAsSelector(spec);
    this.byUid.set(owner.metadata.uid!, { source, selector });
    return selector;
  }

  forget(uid: string): void {
    this.byUid.delete(uid);
  }
}
