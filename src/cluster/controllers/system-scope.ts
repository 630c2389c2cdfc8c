import type { ResourceType } from '../objects.js';
import type { RequestScope, UserInfo } from '../api/resource-service.js';

/** The identity the API server's own controllers act as (a system:masters member, like kube-controller-manager's loopback client). */
export const SYSTEM_USER: UserInfo = { name: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export function systemScope(type: ResourceType, namespace: string | undefined, fieldManager: string): RequestScope {
  const scope: RequestScope = { type, user: SYSTEM_USER, fieldManager };
  if (namespace !== undefined) scope.namespace = namespace;
  return scope;
}
