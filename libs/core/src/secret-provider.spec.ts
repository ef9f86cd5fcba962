import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretProvider, MemorySecretProvider, SecretNotFoundError } from './secret-provider';

describe('secret providers', () => {
  it('memory: resolves a reference, refuses an unknown one naming only the reference', async () => {
    const secrets = new MemorySecretProvider().set('secret://sim/login', { username: 'agent', password: 'p@ss' });
    await expect(secrets.resolve('secret://sim/login')).resolves.toEqual({ username: 'agent', password: 'p@ss' });
    await expect(secrets.resolve('secret://other')).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it('file: reads the current file on each resolve and never echoes its content in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const file = join(dir, 'secrets.json');
    try {
      writeFileSync(file, JSON.stringify({ 'secret://sim/login': { username: 'agent', password: 'one' } }));
      const secrets = new FileSecretProvider(file);
      await expect(secrets.resolve('secret://sim/login')).resolves.toMatchObject({ password: 'one' });
      writeFileSync(file, JSON.stringify({ 'secret://sim/login': { username: 'agent', password: 'two' } }));
      await expect(secrets.resolve('secret://sim/login')).resolves.toMatchObject({ password: 'two' });
      writeFileSync(file, '{"secret://sim/login": {"username": "agent", "password": "three"'); // truncated
      const error = await secrets.resolve('secret://sim/login').catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'SECRETS_UNREADABLE' });
      expect(String((error as Error).message)).not.toContain('three');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
