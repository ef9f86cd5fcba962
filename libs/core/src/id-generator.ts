// Ids are a port so tests get predictable ones.
import { randomUUID } from 'node:crypto';

export interface IdGenerator {
  next(prefix?: string): string;
}

export class RandomIdGenerator implements IdGenerator {
  next(prefix?: string): string {
    const id = randomUUID();
    return prefix ? `${prefix}_${id}` : id;
  }
}

export class SequentialIdGenerator implements IdGenerator {
  private counter = 0;
  next(prefix = 'id'): string {
    this.counter += 1;
    return `${prefix}_${String(this.counter).padStart(6, '0')}`;
  }
}
