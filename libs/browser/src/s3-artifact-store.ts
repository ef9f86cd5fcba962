// ArtifactStore on S3-compatible object storage, so failure evidence outlives the worker that
// took it and any engine process (another worker, the inspector on another host) can show it.
// Objects are private: the engine reads them with its own credentials and the server streams
// them to an authenticated inspector; no bucket URL or presigned link ever leaves the server.
//
// Keys are `<prefix><reference>`, with the reference named as every store names it
// (artifact-names.ts). The credentials come from a provider called when the SDK needs them and
// again after `credentialsTtlMs`, so a rotated secret is picked up without a restart; they are
// never logged, and errors carry the S3 error's name and status only (a message may quote a
// request). Requests compute checksums only when an operation requires one: the newer SDK
// default (a CRC on every upload) is refused by several S3-compatible servers.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EngineError, NotFoundError, RandomIdGenerator, type IdGenerator } from '@engine/core';
import { ARTIFACT_CONTENT_TYPES, checkArtifactReference, newArtifactReference } from './artifact-names';
import type { ArtifactKind, ArtifactStore } from './artifact-store';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3ArtifactStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (`https://s3.example.internal:9000`); unset: AWS S3 itself. */
  endpoint?: string;
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint>/<key>` (most S3-compatible servers want it). */
  forcePathStyle?: boolean;
  /** Prepended to every key, e.g. `engine/artifacts/`. Default none. */
  prefix?: string;
  /** Where the keys come from (the secrets file); unset: the SDK's default chain (environment, instance role). */
  credentials?: () => Promise<S3Credentials>;
  /** How long resolved credentials are used before the provider is asked again. Default 5 minutes. */
  credentialsTtlMs?: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  ids?: IdGenerator;
}

export class S3ArtifactStore implements ArtifactStore {
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly ids: IdGenerator;
  private readonly timeoutMs: number;

  constructor(private readonly options: S3ArtifactStoreOptions) {
    this.prefix = options.prefix ?? '';
    this.ids = options.ids ?? new RandomIdGenerator();
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const provide = options.credentials;
    const ttlMs = options.credentialsTtlMs ?? 5 * 60_000;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: provide && (async () => ({ ...(await provide()), expiration: new Date(Date.now() + ttlMs) })),
    });
  }

  /** Where artifacts go, without credentials: safe for logs. */
  get location(): string {
    return `s3://${this.options.bucket}/${this.prefix}${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}`;
  }

  async save(kind: ArtifactKind, label: string, content: Buffer | string): Promise<string> {
    const reference = newArtifactReference(kind, label, this.ids);
    await this.request('PutObject', reference, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(reference), Body: content, ContentType: ARTIFACT_CONTENT_TYPES[kind] }), {
        abortSignal: AbortSignal.timeout(this.timeoutMs),
      }),
    );
    return reference;
  }

  async read(reference: string): Promise<Buffer> {
    checkArtifactReference(reference);
    const object = await this.request('GetObject', reference, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(reference) }), { abortSignal: AbortSignal.timeout(this.timeoutMs) }),
    );
    if (!object.Body) throw new NotFoundError('artifact', reference);
    return Buffer.from(await object.Body.transformToByteArray());
  }

  close(): void {
    this.client.destroy();
  }

  private key(reference: string): string {
    return `${this.prefix}${reference}`;
  }

  private async request<T>(operation: string, reference: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (name === 'NoSuchKey' || $metadata?.httpStatusCode === 404) throw new NotFoundError('artifact', reference);
      const status = $metadata?.httpStatusCode ? ` (HTTP ${$metadata.httpStatusCode})` : '';
      throw new EngineError('ARTIFACT_STORE_FAILED', `${operation} ${reference} on ${this.location} failed: ${name ?? 'unknown error'}${status}`, {
        details: { operation, reference, error: name, status: $metadata?.httpStatusCode },
      });
    }
  }
}
