// Moved to the adapter kit (@portal-engine/adapter-kit); re-exported for this library's modules.
export type { CaptchaChallenge, CaptchaSolver } from '@portal-engine/adapter-kit';
