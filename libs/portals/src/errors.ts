// Portal-layer errors, all PortalErrors with stable codes. The ones an adapter throws live in the
// adapter kit; loading adapters is the engine's business.
import { PortalError } from '@portal-engine/adapter-kit';

export {
  CaptchaUnsolvableError,
  FormRejectedError,
  LoginFailedError,
  SubmissionInDoubtError,
  UnexpectedPageError,
  type LoginFailureReason,
} from '@portal-engine/adapter-kit';

export class AdapterLoadError extends PortalError {
  constructor(
    readonly path: string,
    reason: string,
    cause?: unknown,
  ) {
    super('ADAPTER_INVALID', `portal adapter module ${path}: ${reason}`, { cause, details: { path, reason } });
  }
}
