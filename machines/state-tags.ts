// Tags of a stored state value, read from the machine definition: the pure way for other layers
// to ask "is this state one where …" of the JSON in the log, without restoring a snapshot and
// without any list of state names outside the machine.
import type { AnyStateMachine, StateValue } from 'xstate';

interface TagNode {
  tags: readonly string[];
  states: Record<string, TagNode>;
}

/** The tags of every state node active in `value` (a stored state value of `machine`). */
export function tagsOfValue(machine: AnyStateMachine, value: StateValue): ReadonlySet<string> {
  const tags = new Set<string>();
  collect(machine.root as unknown as TagNode, value, tags);
  return tags;
}

/** A cached `tagsOfValue` for one machine: stored values repeat, so each is walked once. */
export function tagReader<TTag extends string>(machine: AnyStateMachine): (value: unknown, tag: TTag) => boolean {
  const cache = new Map<string, ReadonlySet<string>>();
  return (value, tag) => {
    const key = typeof value === 'string' ? value : JSON.stringify(value);
    let tags = cache.get(key);
    if (!tags) {
      tags = isStateValue(value) ? tagsOfValue(machine, value) : new Set<string>();
      if (cache.size < 10_000) cache.set(key, tags);
    }
    return tags.has(tag);
  };
}

/** The top-level state of a stored value (`recovering` for `{ recovering: { soft: … } }`). */
export function topState(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return Object.keys(value)[0] ?? 'unknown';
  return 'none';
}

function collect(node: TagNode, value: StateValue, into: Set<string>): void {
  if (typeof value === 'string') {
    const child = node.states[value];
    if (child) for (const tag of child.tags) into.add(tag);
    return;
  }
  for (const [key, sub] of Object.entries(value)) {
    const child = node.states[key];
    if (!child) continue;
    for (const tag of child.tags) into.add(tag);
    if (sub !== undefined) collect(child, sub, into);
  }
}

function isStateValue(value: unknown): value is StateValue {
  return typeof value === 'string' || (value !== null && typeof value === 'object');
}
