/**
 * RBAC authorization (rbac.authorization.k8s.io/v1) evaluated over the Roles, ClusterRoles and
 * bindings in the store, with Kubernetes' matching rules, the system:masters superuser group and
 * the discovery/health endpoints every authenticated user may read.
 */
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Identity } from './token-file.js';

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz', '/version'];
const DISCOVERY_PREFIXES = ['/api', '/apis', '/openapi', '/version', '/healthz', '/livez', '/readyz'];

/** Paths anyone may GET, authenticated or not (system:public-info-viewer). */
export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  authorizeResource(user: Identity, a: ResourceAttributes): boolean {
    if (user.groups.includes('system:masters')) return true;
    // system:basic-user: anyone may ask what they may do.
    if (a.group === 'authorization.k8s.io' && a.verb === 'create' && (a.resource === 'selfsubjectaccessreviews' || a.resource === 'selfsubjectrulesreviews')) return true;
    if (a.group === 'authentication.k8s.io' && a.verb === 'create' && a.resource === 'selfsubjectreviews') return true;
    return this.rulesFor(user, a.namespace).some((r) => resourceRuleMatches(r, a));
  }

  authorizeNonResource(user: Identity, a: NonResourceAttributes): boolean {
    if (user.groups.includes('system:masters')) return true;
    if (a.verb === 'get' && DISCOVERY_PREFIXES.some((p) => a.path === p || a.path.startsWith(`${p}/`))) return true;
    return this.rulesFor(user, undefined).some((r) => nonResourceRuleMatches(r, a));
  }

  /** The rules granted to a user cluster-wide, plus in one namespace when given. */
  rulesFor(user: Identity, namespace: string | undefined): PolicyRule[] {
    // Every authenticated user may review its own access (system:basic-user).
    const rules: PolicyRule[] = [{ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }];
    for (const { obj } of this.store.list('rbac.authorization.k8s.io/clusterrolebindings')) {
      if (bindingApplies(obj, user)) rules.push(...this.roleRules(obj, undefined));
    }
    if (namespace) {
      for (const { obj } of this.store.list('rbac.authorization.k8s.io/rolebindings', namespace)) {
        if (bindingApplies(obj, user)) rules.push(...this.roleRules(obj, namespace));
      }
    }
    return rules;
  }

  private roleRules(binding: KubeObject, namespace: string | undefined): PolicyRule[] {
    return this.roleRulesFor((binding.roleRef ?? {}) as { kind?: string; name?: string }, namespace);
  }

  /** The rules of the Role (in `namespace`) or ClusterRole a roleRef names. */
  roleRulesFor(ref: { kind?: string; name?: string }, namespace: string | undefined): PolicyRule[] {
    if (!ref?.name) return [];
    const role =
      ref.kind === 'ClusterRole'
        ? this.store.get('rbac.authorization.k8s.io/clusterroles', ref.name)
        : namespace
          ? this.store.get('rbac.authorization.k8s.io/roles', `${namespace}/${ref.name}`)
          : undefined;
    return ((role?.obj.rules as PolicyRule[] | undefined) ?? []).filter(Boolean);
  }
}

function bindingApplies(binding: KubeObject, user: Identity): boolean {
  const subjects = (binding.subjects as Subject[] | undefined) ?? [];
  return subjects.some((s) => {
    if (s.kind === 'User') return s.name === user.name;
    if (s.kind === 'Group') return user.groups.includes(s.name);
    if (s.kind === 'ServiceAccount') return user.name === `system:serviceaccount:${s.namespace ?? binding.metadata.namespace}:${s.name}`;
    return false;
  });
}

function has(list: string[] | undefined, value: string): boolean {
  return !!list && (list.includes('*') || list.includes(value));
}

function resourceRuleMatches(rule: PolicyRule, a: ResourceAttributes): boolean {
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.group)) return false;
  const resources = rule.resources ?? [];
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = resources.includes('*') || resources.includes(combined) || (a.subresource !== undefined && resources.includes(`*/${a.subresource}`));
  if (!resourceOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) return a.name !== undefined && rule.resourceNames.includes(a.name);
  return true;
}

function nonResourceRuleMatches(rule: PolicyRule, a: NonResourceAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
}

/** Kubernetes' wording for a 403. */
export function forbiddenMessage(user: Identity, a: ResourceAttributes): string {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const named = a.name ? ` "${a.name}"` : '';
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${a.resource}${a.group ? '.' + a.group : ''}${named} is forbidden: User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}"${scope}`;
}

/**
 * Kubernetes' escalation prevention: a user may create or change a Role/ClusterRole only with
 * permissions it already holds (or the `escalate` verb), and bind a role only if it holds the role's
 * permissions (or the `bind` verb on that role). Returns the rules the user lacks, empty when allowed.
 */
export function ungrantableRules(authorizer: RbacAuthorizer, user: Identity, obj: KubeObject, kind: string): PolicyRule[] {
  if (user.groups.includes('system:masters')) return [];
  const namespace = kind === 'Role' || kind === 'RoleBinding' ? obj.metadata.namespace : undefined;
  let rules: PolicyRule[];
  if (kind === 'Role' || kind === 'ClusterRole') {
    const resource = kind === 'Role' ? 'roles' : 'clusterroles';
    if (authorizer.authorizeResource(user, { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource, name: obj.metadata.name!, ...(namespace ? { namespace } : {}) })) return [];
    rules = (obj.rules as PolicyRule[] | undefined) ?? [];
  } else {
    const ref = (obj.roleRef ?? {}) as { kind?: string; name?: string };
    const resource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (authorizer.authorizeResource(user, { verb: 'bind', group: 'rbac.authorization.k8s.io', resource, name: ref.name ?? '', ...(namespace ? { namespace } : {}) })) return [];
    rules = authorizer.roleRulesFor(ref, namespace);
  }
  return rules.filter((rule) => !ruleCovered(authorizer, user, rule, namespace));
}

/** True when the user may do everything the rule grants (wildcards must be held as wildcards). */
function ruleCovered(authorizer: RbacAuthorizer, user: Identity, rule: PolicyRule, namespace: string | undefined): boolean {
  const verbs = rule.verbs ?? [];
  if (rule.nonResourceURLs?.length) {
    return rule.nonResourceURLs.every((path) => verbs.every((verb) => authorizer.authorizeNonResource(user, { verb, path })));
  }
  const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
  // Every (group, resource, verb, name) combination the rule grants must be one the user has.
  const combos = (rule.apiGroups ?? []).flatMap((group) =>
    (rule.resources ?? []).flatMap((res) => verbs.flatMap((verb) => names.map((name) => ({ group, res, verb, name })))),
  );
  return combos.every(({ group, res, verb, name }) => {
    const [resource, subresource] = res.split('/');
    const attrs: ResourceAttributes = { verb, group, resource, ...(subresource ? { subresource } : {}), ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
    return authorizer.authorizeResource(user, attrs);
  });
}

export function escalationMessage(user: Identity, obj: KubeObject, plural: string, missing: PolicyRule[]): string {
  const list = missing.map((r) => `{APIGroups:${JSON.stringify(r.apiGroups ?? [])}, Resources:${JSON.stringify(r.resources ?? [])}, Verbs:${JSON.stringify(r.verbs ?? [])}${r.nonResourceURLs ? `, NonResourceURLs:${JSON.stringify(r.nonResourceURLs)}` : ''}}`).join('\n');
  return `${plural}.rbac.authorization.k8s.io "${obj.metadata.name}" is forbidden: user "${user.name}" (groups=${JSON.stringify(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${list}`;
}
