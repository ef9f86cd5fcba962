// What the inspector shows about one stream: its statechart with the current state, the event
// timeline, the state at any version recomputed by replay (time travel), the master session's
// recovery history and the failure screenshots its context references.
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, ReplayMismatchError, stateAtVersion, type ActorState, type EventStore, type MachineDefinition, type RecordedEvent } from '@engine/core';
import { recoveryHistory, type RecoveryAttemptRecord } from '../../../../machines/master-session/recovery-history';
import type { Engine } from '@engine/engine';
import { EVENT_STORE } from '../common/tokens';
import { ENGINE } from '../engine/engine.providers';
import { chartFor } from './chart/chart-for';
import type { ChartLayout } from './chart/statechart-layout';
import { stateLabel } from './chart/statechart-graph';
import { screenshotReferences } from './artifact-files';
import { InspectorFeed } from './inspector-feed';
import type { ListPage, ListQuery } from './stream-index';
import { buildTimeline, type Timeline } from './timeline';
import { currentOf, type CurrentState } from './current-state';

export interface StreamView {
  stream: string;
  kind: string;
  machine: { id: string; version: string; recordedVersion: string | null } | null;
  current: CurrentState;
  chart: ChartLayout | null;
  timeline: Timeline;
  recoveryHistory: RecoveryAttemptRecord[] | null;
  screenshots: string[];
}

export type TimeTravel =
  | (CurrentState & { stream: string; type: string; at: string; replayed: true })
  | { stream: string; version: number; replayed: false; mismatch: { version: number; machineVersion: string; reason: string } };

@Injectable()
export class InspectorService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ENGINE) private readonly engine: Engine,
    private readonly feed: InspectorFeed,
  ) {}

  list(query: ListQuery): ListPage {
    return this.feed.index.list(query);
  }

  async view(stream: string): Promise<StreamView> {
    const events = await this.readStream(stream);
    const def = this.feed.definitionFor(stream);
    const last = events[events.length - 1];
    return {
      stream,
      kind: this.feed.index.get(stream)?.kind ?? def?.id ?? 'unknown',
      machine: def ? { id: def.id, version: def.version, recordedVersion: (events[0].meta.machineVersion as string | undefined) ?? null } : null,
      current: currentOf(last),
      chart: def ? chartFor(def) : null,
      timeline: buildTimeline(events),
      recoveryHistory: def?.id === 'master-session' ? recoveryHistory(events) : null,
      screenshots: screenshotReferences((last.stateAfter as ActorState | null)?.context),
    };
  }

  /** The state after `version`, recomputed from the log by replay (never the stored snapshot). */
  async stateAt(stream: string, version: number): Promise<TimeTravel> {
    const def = this.requireDefinition(stream);
    const events = await this.readStream(stream);
    const event = events.find((e) => e.version === version);
    if (!event) throw new NotFoundError(`version ${version} of stream`, stream);
    try {
      const state = stateAtVersion(def, events, version);
      return { stream, version, type: event.type, at: event.meta.at, value: state.value, state: stateLabel(state.value), status: state.status, context: state.context, replayed: true };
    } catch (error) {
      if (!(error instanceof ReplayMismatchError)) throw error;
      // An auditor needs to see where the log and the machine disagree, not an error page.
      return { stream, version, replayed: false, mismatch: { version: error.version, machineVersion: error.machineVersion, reason: error.message } };
    }
  }

  /** A screenshot the stream's current context references; anything else is not found. */
  async screenshot(stream: string, reference: string): Promise<Buffer> {
    const version = await this.store.streamVersion(stream);
    if (version === 0) throw new NotFoundError('stream', stream);
    const [last] = await this.store.read(stream, version);
    if (!screenshotReferences((last.stateAfter as ActorState | null)?.context).includes(reference)) throw new NotFoundError('artifact', reference);
    try {
      // The engine's own artifact store: the one that generated the reference.
      return await this.engine.artifacts.read(reference);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('artifact', reference);
      throw error;
    }
  }

  private requireDefinition(stream: string): MachineDefinition {
    const def = this.feed.definitionFor(stream);
    if (!def) throw new NotFoundError('machine for stream', stream);
    return def;
  }

  private async readStream(stream: string): Promise<RecordedEvent[]> {
    const events = await this.store.read(stream);
    if (events.length === 0) throw new NotFoundError('stream', stream);
    return events;
  }
}
