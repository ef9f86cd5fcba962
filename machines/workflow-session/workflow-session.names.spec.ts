// The allow-lists for workflow ids and uploaded file names: what ends up as one path segment.
import { isSafeFileName, isWorkflowId } from './workflow-session.names';

describe('workflow ids', () => {
  it.each(['a', 'wf-1', 'A_b-C', '0'.repeat(64), '123e4567-e89b-12d3-a456-426614174000'])('accepts %p', (sid) => {
    expect(isWorkflowId(sid)).toBe(true);
  });

  it.each(['', '.', '..', '../x', '%2e%2e', 'a/b', 'a\\b', 'a.b', 'a b', 'a\u0000b', 'a\nb', 'é', '0'.repeat(65), 5, null, undefined])('refuses %p', (sid) => {
    expect(isWorkflowId(sid)).toBe(false);
  });
});

describe('file names', () => {
  it.each(['a', 'scan 01.pdf', 'report.final.v2.xlsx', '_x-', 'x'.repeat(128)])('accepts %p', (name) => {
    expect(isSafeFileName(name)).toBe(true);
  });

  it.each([
    '', '.', '..', '...', '../x', 'a/../b', 'x..y', '/etc/passwd', 'a/b', 'a\\b', 'C:x', '.hidden', 'trailing.', 'trailing ', ' leading',
    'a\u0000b', 'a\u0007b', 'a\nb', 'a\rb', 'a\u007fb', 'ümlaut.pdf', '%2e%2e', 'x'.repeat(129), 7, null,
  ])('refuses %p', (name) => {
    expect(isSafeFileName(name)).toBe(false);
  });
});
