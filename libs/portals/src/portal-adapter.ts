// Moved to the adapter kit (@portal-engine/adapter-kit); re-exported for this library's modules.
export type { Credentials, FillOptions, FindSubmissionResult, PortalAdapter, SubmitResult } from '@portal-engine/adapter-kit';
