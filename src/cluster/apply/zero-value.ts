/**
 * What a freshly zeroed Go object of a built-in kind already holds. Kubernetes computes a create's
 * field ownership against such an object, so containers that Go always materializes (non-pointer
 * structs such as `spec` or `spec.template.spec`, slices without omitempty such as `containers`)
 * are not recorded as added (no `".": {}` in fieldsV1) while optional ones (`labels`, `ports`,
 * `rollingUpdate`) are. Custom resources are unstructured and hold nothing.
 */

/** Paths (field names, list items as the list's name) that zero values of the common built-in kinds hold. */
const BUILTIN_ZERO_PATHS: ReadonlySet<string> = new Set(
  [
    'spec',
    'status',
    // Pod
    'spec.containers',
    // workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job; ReplicationController's
    // template is a pointer, a difference this ignores)
    'spec.template',
    'spec.template.metadata',
    'spec.template.spec',
    'spec.template.spec.containers',
    'spec.strategy',
    'spec.updateStrategy',
    // CronJob
    'spec.jobTemplate',
    'spec.jobTemplate.metadata',
    'spec.jobTemplate.spec',
    'spec.jobTemplate.spec.template',
    'spec.jobTemplate.spec.template.metadata',
    'spec.jobTemplate.spec.template.spec',
    'spec.jobTemplate.spec.template.spec.containers',
  ],
);

/**
 * The `zeroValue` predicate for built-in kinds (pass it to `recordUpdate` / `serverSideApply`
 * for kinds that are not custom resources).
 */
export function builtinZeroValue(path: readonly string[]): boolean {
  return BUILTIN_ZERO_PATHS.has(path.join('.'));
}
