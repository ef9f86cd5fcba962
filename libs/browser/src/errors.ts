// Browser-layer errors. Each is a BrowserError with a stable code; callers branch on class or code.
import { BrowserError } from '@engine/core';

export class ChromiumNotFoundError extends BrowserError {
  constructor(readonly candidates: readonly string[]) {
    super('CHROMIUM_NOT_FOUND', `no Chromium executable found (set CHROMIUM_PATH); looked at: ${candidates.join(', ')}`, {
      details: { candidates },
    });
  }
}

export class BrowserLaunchError extends BrowserError {
  constructor(executablePath: string, cause: unknown) {
    super('BROWSER_LAUNCH_FAILED', `Chromium at ${executablePath} failed to start`, { cause, details: { executablePath } });
  }
}

/** A browser already holds as many clone contexts as it may; clone into another browser or wait. */
export class ContextCapacityError extends BrowserError {
  constructor(readonly limit: number) {
    super('CONTEXT_CAPACITY', `browser already holds ${limit} clone contexts`, { details: { limit } });
  }
}

/** Process memory is only readable for a browser this host launched on this machine. */
export class MemoryUnavailableError extends BrowserError {
  constructor(reason: string) {
    super('MEMORY_UNAVAILABLE', `browser memory cannot be read: ${reason}`, { details: { reason } });
  }
}

export class ProfileError extends BrowserError {
  constructor(code: 'PROFILE_NOT_FOUND' | 'BACKUP_NOT_FOUND' | 'PROFILE_COPY_FAILED', message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

/** A path built for the artifact or profile folders would leave that folder. */
export class UnsafePathError extends BrowserError {
  constructor(root: string) {
    super('UNSAFE_PATH', `refusing a path outside ${root}`, { details: { root } });
  }
}
