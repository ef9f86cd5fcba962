// The short code a job's failure records for an error (never its text: messages can carry
// secrets). An error that carries the portal's HTTP status 5xx (an adapter's UnexpectedPageError
// on an error page) is recorded as `HTTP_<status>`: the portal failed, not the form, and adaptive
// concurrency counts it as strain.
import { errorCode } from '@engine/core';

export function failureCode(error: unknown): string {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 500 && status <= 599) return `HTTP_${status}`;
  const code = errorCode(error);
  if (code) return code;
  return error instanceof Error ? error.name.replace(/Error$/, '').toUpperCase() || 'ERROR' : 'ERROR';
}
