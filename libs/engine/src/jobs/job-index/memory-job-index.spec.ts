// The memory adapter against the JobIndex contract, and the page cursor's encoding.
import { decodeJobCursor, encodeJobCursor } from './job-index';
import { describeJobIndexConformance } from './conformance/job-index.conformance';
import { MemoryJobIndex } from './memory-job-index';

describeJobIndexConformance(
  'MemoryJobIndex',
  async () => {
    const index = new MemoryJobIndex();
    return { index, reopen: null, dispose: () => index.close() };
  },
  { persistent: false },
);

describe('job page cursor', () => {
  it('gives back the sort key it was made from, a job without a creation time included', () => {
    for (const key of [{ createdAt: '2026-03-01T09:00:00.000Z', jobId: 'a-1_B' }, { createdAt: '', jobId: 'x' }]) expect(decodeJobCursor(encodeJobCursor(key))).toEqual(key);
  });

  it('refuses anything it did not make, naming the cursor: garbage, other JSON, another spelling of the same bytes, a changed key', () => {
    const good = encodeJobCursor({ createdAt: '2026-03-01T09:00:00.000Z', jobId: 'job-1' });
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const refused = [
      '',
      'not a cursor',
      `${good}=`,
      `${good}A`,
      b64('[1,2]'),
      b64('["2026-03-01T09:00:00.000Z"]'),
      b64('["2026-03-01","job-1"]'),
      b64('["2026-03-01T09:00:00.000Z","../job"]'),
      b64('{"createdAt":"","jobId":"x"}'),
      b64('[ "", "x" ]'),
      'x'.repeat(401),
    ];
    for (const cursor of refused) {
      let error: unknown;
      try {
        decodeJobCursor(cursor);
      } catch (caught) {
        error = caught;
      }
      expect([cursor, error]).toEqual([cursor, expect.objectContaining({ code: 'VALIDATION_FAILED', fields: { cursor: expect.any(String) } })]);
    }
  });
});
