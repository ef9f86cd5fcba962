// An EventStore decorator that times every append into the metrics histogram.
import type { AppendOptions, AppendResult, EventStore, NewEvent } from '@engine/core';
import type { Histogram } from 'prom-client';

export function instrumentEventStore(store: EventStore, appendLatency: Histogram): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return async (stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> => {
          const end = appendLatency.startTimer();
          try {
            return await target.append(stream, events, options);
          } finally {
            end();
          }
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
