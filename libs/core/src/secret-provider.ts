// Secrets are a port: events and effect params carry a reference (`secret://portal/login`),
// and the provider resolves it at effect time. A resolved secret is never logged, stored,
// put in an event, an artifact name or an error message (errors name the reference only).
import { readFile } from 'node:fs/promises';
import { EngineError } from './errors';

export interface LoginSecret {
  username: string;
  password: string;
}

export interface SecretProvider {
  resolve(ref: string): Promise<LoginSecret>;
}

export class SecretNotFoundError extends EngineError {
  constructor(ref: string) {
    super('SECRET_NOT_FOUND', `no secret for reference ${ref}`, { details: { ref } });
  }
}

/** Secrets held in memory: tests, and the demo (which makes up the simulator's account). */
export class MemorySecretProvider implements SecretProvider {
  private readonly secrets = new Map<string, LoginSecret>();

  set(ref: string, secret: LoginSecret): this {
    this.secrets.set(ref, { ...secret });
    return this;
  }

  async resolve(ref: string): Promise<LoginSecret> {
    const secret = this.secrets.get(ref);
    if (!secret) throw new SecretNotFoundError(ref);
    return { ...secret };
  }
}

/** A JSON file `{ "<ref>": { "username": …, "password": … } }`, re-read on every resolve so rotation needs no restart. */
export class FileSecretProvider implements SecretProvider {
  constructor(private readonly path: string) {}

  async resolve(ref: string): Promise<LoginSecret> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      // The file's content never goes into the message: it is all secrets.
      throw new EngineError('SECRETS_UNREADABLE', `secrets file ${this.path} is missing or not JSON`, { details: { code: (error as { code?: string }).code } });
    }
    const entry = (parsed as Record<string, unknown>)[ref] as Partial<LoginSecret> | undefined;
    if (!entry || typeof entry.username !== 'string' || typeof entry.password !== 'string') throw new SecretNotFoundError(ref);
    return { username: entry.username, password: entry.password };
  }
}
