// What a workflow id and an uploaded file's name may look like. Both end up in paths
// (`<dataDir>/workflows/<sid>/<name>`), so both are allow-lists, not deny-lists: no dot-only
// names, no separators, no NUL or control characters, nothing a shell or a path resolver would
// read as more than one plain segment. Pure, shared by the machine, the runtime and the API.

/** A workflow id: 1–64 of `A–Z a–z 0–9 _ -`. Never contains a dot, so `..` cannot be one. */
export const WORKFLOW_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An uploaded file's name: 1–128 of `A–Z a–z 0–9 . _ - space`, starting and ending with a
 * letter, digit, `_` or `-`, without `..`. Dot-files are reserved for the runtime's own use
 * (temporary uploads, the downloads folder).
 */
export const FILE_NAME_PATTERN = /^[A-Za-z0-9_-](?:[A-Za-z0-9._ -]{0,126}[A-Za-z0-9_-])?$/;

export function isWorkflowId(value: unknown): value is string {
  return typeof value === 'string' && WORKFLOW_ID_PATTERN.test(value);
}

export function isSafeFileName(value: unknown): value is string {
  return typeof value === 'string' && FILE_NAME_PATTERN.test(value) && !value.includes('..');
}
