// The inspector's one connection to the log: reads every stream head once at start, then
// follows the store subscription. Each event updates the stream list, goes out to the live
// (SSE) listeners and, when configured, to the Stately inspection bridge. Nothing else in the
// inspector polls the store.
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import type { ActorHost, EventStore, Logger, MachineDefinition, RecordedEvent, Subscription } from '@engine/core';
import { ACTOR_HOST, EVENT_STORE, LOGGER } from '../common/tokens';
import { INSPECTOR_OPTIONS, type InspectorOptions } from './inspector.options';
import { StreamIndex } from './stream-index';
import { XStateInspectBridge } from './xstate-inspect-bridge';

@Injectable()
export class InspectorFeed implements OnModuleInit, OnModuleDestroy {
  readonly index: StreamIndex;
  private readonly subject = new Subject<RecordedEvent>();
  private subscription: Subscription | undefined;
  private bridge: XStateInspectBridge | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACTOR_HOST) private readonly host: ActorHost,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(INSPECTOR_OPTIONS) private readonly options: InspectorOptions,
  ) {
    this.index = new StreamIndex((stream) => this.definitionFor(stream)?.id ?? namePrefix(stream));
  }

  /** Every recorded event after start, in log order. */
  get events(): Observable<RecordedEvent> {
    return this.subject.asObservable();
  }

  definitionFor(stream: string): MachineDefinition | undefined {
    try {
      return this.host.definitionFor(stream);
    } catch {
      return undefined;
    }
  }

  async onModuleInit(): Promise<void> {
    if (this.options.inspectWsUrl) {
      this.bridge = new XStateInspectBridge({ url: this.options.inspectWsUrl, definitionFor: (s) => this.definitionFor(s), logger: this.logger });
      this.bridge.start();
    }
    this.index.load(await this.store.heads());
    this.subscription = this.store.subscribe(this.index.position, (event) => this.deliver(event), {
      onError: (error, event) => this.logger.error('inspector feed stopped', { position: event.position, message: (error as Error)?.message }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.close();
    this.subject.complete();
    await this.bridge?.stop();
  }

  private deliver(event: RecordedEvent): void {
    this.index.apply(event);
    this.subject.next(event);
    this.bridge?.publish(event);
  }
}

/** Streams of no registered machine (workflow-, pool-) are grouped by their name's prefix. */
function namePrefix(stream: string): string {
  const dash = stream.indexOf('-');
  return dash > 0 ? stream.slice(0, dash) : stream;
}
