/**
 * Server-side apply and managedFields tracking for the embedded API server.
 *
 * - {@link serverSideApply}: PATCH with `application/apply-patch+yaml`.
 * - {@link recordUpdate}: every other write (create, update, merge/JSON/strategic patch).
 * - {@link fieldManagerFor} / {@link validateFieldManager}: the `fieldManager` query parameter.
 * - {@link FieldSet}: field paths and their `fieldsV1` encoding.
 */
export { serverSideApply, LAST_APPLIED_ANNOTATION, type ServerSideApplyInput } from './server-side-apply.js';
export { recordUpdate, type RecordUpdateInput } from './track-update.js';
export { fieldManagerFor, validateFieldManager, fieldManagerCauses, FIELD_MANAGER_MAX_LENGTH, type FieldManagerVerb } from './default-manager.js';
export { builtinZeroValue } from './zero-value.js';
export { FieldSet, FieldSetBuilder, FieldSetError, formatPath, formatPathElement, type FieldPath, type PathElement } from './field-set.js';
