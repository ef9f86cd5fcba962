import { progressOn } from './progress';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WriteStream, chunks };
}

describe('progressOn', () => {
  it('prints plain lines, at most one per tenth, when stderr is not a terminal', () => {
    const { stream, chunks } = fakeStream(false);
    const progress = progressOn(stream, 'replaying');
    for (let i = 1; i <= 200; i++) progress.update(i, 200);
    progress.done();
    expect(chunks).toHaveLength(11);
    expect(chunks.every((c) => !c.includes('\r') && c.endsWith('\n'))).toBe(true);
    expect(chunks[chunks.length - 1]).toBe('replaying: 200/200 (100%)\n');
  });

  it('redraws one bar in place on a terminal and ends it with a newline', () => {
    const { stream, chunks } = fakeStream(true);
    const progress = progressOn(stream, 'replaying');
    progress.update(1, 4);
    progress.update(4, 4);
    progress.done();
    expect(chunks[0]).toBe(`\rreplaying [${'#'.repeat(8)}${'.'.repeat(22)}] 25% 1/4`);
    expect(chunks[1]).toBe(`\rreplaying [${'#'.repeat(30)}] 100% 4/4`);
    expect(chunks[2]).toBe('\n');
  });
});
