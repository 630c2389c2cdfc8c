/**
 * Response-shape negotiation from the Accept header: plain objects, meta.k8s.io Tables (what
 * `kubectl get` asks for), or PartialObjectMetadata (metadata-only clients).
 */
export type Shape = 'object' | 'table' | 'metadata';

export function negotiateShape(accept: string | undefined): Shape {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('g') !== 'meta.k8s.io') continue;
    const as = params.get('as');
    if (as === 'Table' && (params.get('v') === 'v1' || params.get('v') === 'v1beta1')) return 'table';
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && params.get('v') === 'v1') return 'metadata';
  }
  return 'object';
}

/** The aggregated-discovery form a client asked for, if any (kubectl 1.26+ asks for v2 first). */
export function wantsAggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    if (!part.includes('g=apidiscovery.k8s.io') || !part.includes('as=APIGroupDiscoveryList')) continue;
    if (/v=v2(;|$|\s)/.test(part)) return 'v2';
    if (part.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

export function partialMetadata(obj: { metadata: unknown }): { apiVersion: string; kind: string; metadata: unknown } {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: obj.metadata };
}
