// The portals this engine drives: adapters by id (built in, and loaded from plugin paths).
import { NotFoundError, ValidationError } from '@engine/core';
import type { PortalAdapter } from '@engine/portals';

export class PortalRegistry {
  private readonly adapters = new Map<string, PortalAdapter>();

  constructor(adapters: PortalAdapter[] = []) {
    for (const adapter of adapters) this.add(adapter);
  }

  add(adapter: PortalAdapter): void {
    if (this.adapters.has(adapter.id)) throw new ValidationError(`portal ${adapter.id} is registered twice`, { portal: 'duplicate id' });
    this.adapters.set(adapter.id, adapter);
  }

  find(id: string): PortalAdapter | undefined {
    return this.adapters.get(id);
  }

  get(id: string): PortalAdapter {
    const adapter = this.adapters.get(id);
    if (!adapter) throw new NotFoundError('portal', id);
    return adapter;
  }

  ids(): string[] {
    return [...this.adapters.keys()];
  }
}
