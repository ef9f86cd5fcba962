// The one check of the API token, shared by the route guard and the API docs. The comparison
// is constant-time over SHA-256 digests, so neither the content nor the length of the token leaks.
import { createHash, timingSafeEqual } from 'node:crypto';

export const UNAUTHORIZED_BODY = { statusCode: 401, error: 'Unauthorized', message: 'a valid bearer token is required' } as const;

export class BearerToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = createHash('sha256').update(token).digest();
  }

  /** True when the Authorization header is `Bearer <the token>`. */
  accepts(authorization: string | undefined): boolean {
    const match = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
    const digest = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    return match !== null && timingSafeEqual(digest, this.expected);
  }
}
