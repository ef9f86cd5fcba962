// Runs the EventStore conformance suite against the memory adapter. Reopen shares the
// MemoryEventLog, the way a second SQLite connection shares the file.
import type { EventStore } from '@engine/core';
import { describeEventStoreConformance } from './conformance/event-store.conformance';
import { MemoryEventLog } from './memory-event-log';
import { MemoryEventStore } from './memory-event-store';

describeEventStoreConformance('MemoryEventStore', async () => {
  const log = new MemoryEventLog();
  const opened: EventStore[] = [];
  const open = () => {
    const store = new MemoryEventStore(log);
    opened.push(store);
    return store;
  };
  return {
    store: open(),
    reopen: async () => open(),
    editEventData: async (stream, version, data) => log.tamperEditData(stream, version, data),
    deleteEvent: async (stream, version) => log.tamperDelete(stream, version),
    dispose: async () => {
      await Promise.all(opened.map((store) => store.close()));
    },
  };
});
