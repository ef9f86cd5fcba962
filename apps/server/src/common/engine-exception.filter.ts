// Maps the engine's error hierarchy to HTTP: 400 validation, 404 unknown ids, 409 commands the
// state forbids or lost races, 5xx only for real faults — whose details are logged, not sent.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { EngineError, InvalidCommandError, ValidationError, type Logger } from '@engine/core';
import { LOGGER } from './tokens';

const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  INVALID_COMMAND: 409,
  VERSION_CONFLICT: 409,
  VERSION_OUT_OF_RANGE: 404,
  // A stream on a machine version this server does not run: refused (nothing appended), not run on another.
  MACHINE_VERSION_UNREGISTERED: 409,
  INTAKE_HALTED: 503,
  LEASE_UNAVAILABLE: 503,
  STEP_FAILED: 422,
  DOWNLOAD_FAILED: 422,
  DOWNLOAD_TOO_LARGE: 413,
};

interface HttpResponse {
  status(code: number): { json(body: unknown): void };
}

@Catch()
export class EngineExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      response.status(status).json(typeof body === 'string' ? { statusCode: status, message: body } : body);
      return;
    }
    if (error instanceof EngineError && STATUS_BY_CODE[error.code]) {
      const status = STATUS_BY_CODE[error.code];
      const body: Record<string, unknown> = { statusCode: status, code: error.code, message: error.message };
      if (error instanceof ValidationError) body.fields = error.fields;
      if (error instanceof InvalidCommandError) {
        body.state = error.state;
        // Why the state forbids the command, as its own field, so a client need not parse the message.
        if (typeof error.details.reason === 'string') body.reason = error.details.reason;
        // A captcha answer to a challenge that is not the open one: which one is (or null).
        if ('currentChallengeId' in error.details) body.currentChallengeId = error.details.currentChallengeId;
        // A captcha request naming a portal whose accounts wait on several challenges: the open ones.
        if ('open' in error.details) body.open = error.details.open;
      }
      // A workflow step that failed: which one, and the steps done before it.
      if (error.code === 'STEP_FAILED') Object.assign(body, { step: error.details.step, completed: error.details.completed });
      if (error.code === 'DOWNLOAD_FAILED') Object.assign(body, { reason: error.details.reason, ...(error.details.status !== undefined ? { status: error.details.status } : {}) });
      response.status(status).json(body);
      return;
    }
    const bodyParser = error as { type?: string; status?: number; statusCode?: number };
    if (typeof bodyParser.status === 'number' && bodyParser.status >= 400 && bodyParser.status < 500) {
      response.status(bodyParser.status).json({ statusCode: bodyParser.status, code: bodyParser.type ?? 'BAD_REQUEST', message: 'the request body could not be read' });
      return;
    }
    this.logger.error('unhandled error', { code: error instanceof EngineError ? error.code : (error as Error)?.name, message: (error as Error)?.message });
    response.status(500).json({ statusCode: 500, code: 'INTERNAL', message: 'internal error; see the server log' });
  }
}
