// What the inspector shows about one stream: its statechart with the current state, the event
// timeline, the state at any version recomputed by replay (time travel), the master session's
// recovery history and the failure screenshots its context references.
import { Injectable } from '@nestjs/common';
import { NotFoundError, ReplayMismatchError, ValidationError, StateFeed, stateAtVersion, type ActorState, type AnyMachineDefinition } from '@engine/core';
import { AuditApi, JobsApi, PortalQueuesApi, SessionsApi, type AllowedAction } from '@engine/engine';
import { JOB_MACHINE, MASTER_SESSION_MACHINE } from '@engine/machines';
import { recoveryHistory, type RecoveryAttemptRecord } from '@engine/machines';
import { chartFor, statechartFor } from './chart/chart-for';
import type { ChartLayout } from './chart/statechart-layout';
import { stateLabel } from './chart/statechart-graph';
import { screenshotReferences } from './artifact-files';
import { listStreams, type ListPage, type ListQuery } from './stream-list';
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
    private readonly feed: StateFeed,
    private readonly audit: AuditApi,
    private readonly jobs: JobsApi,
    private readonly sessions: SessionsApi,
    private readonly queues: PortalQueuesApi,
  ) {}

  /**
   * What an operator may do with the stream now, each with the machine's reason when refused: a
   * job's cancel, retry and resubmit-after-check; a master session's captcha answer, forced
   * recovery levels and its portal's queue (pause, resume). Other streams have none.
   */
  async actions(stream: string): Promise<{ stream: string; actions: AllowedAction[]; related: string[] }> {
    const entry = this.feed.get(stream);
    if (!entry) throw new NotFoundError('stream', stream);
    if (entry.kind === JOB_MACHINE.id) return { stream, actions: await this.jobs.actions(stream.slice(JOB_MACHINE.streamPrefix.length)), related: [] };
    if (entry.kind === MASTER_SESSION_MACHINE.id) {
      const portal = stream.slice(MASTER_SESSION_MACHINE.streamPrefix.length);
      const queue = this.queues.knows(portal) ? await this.queues.actions(portal) : [];
      return { stream, actions: [...(await this.sessions.actions(portal)), ...queue], related: this.queues.knows(portal) ? [`queue-${portal}`] : [] };
    }
    return { stream, actions: [], related: [] };
  }

  list(query: ListQuery): ListPage {
    return listStreams(this.feed, query);
  }

  async view(stream: string): Promise<StreamView> {
    const events = await this.audit.read(stream);
    const def = this.audit.definitionFor(stream);
    const last = events[events.length - 1];
    return {
      stream,
      kind: this.feed.get(stream)?.kind ?? def?.id ?? 'unknown',
      machine: def ? { id: def.id, version: def.version, recordedVersion: (events[0].meta.machineVersion as string | undefined) ?? null } : null,
      current: currentOf(last),
      chart: def ? await chartFor(def) : null,
      timeline: buildTimeline(events),
      recoveryHistory: def?.id === 'master-session' ? recoveryHistory(events) : null,
      screenshots: screenshotReferences((last.stateAfter as ActorState | null)?.context),
    };
  }

  /** The stream's statechart with the given compound states collapsed; anything else named there is a 400. */
  async chart(stream: string, collapsed: string[]): Promise<ChartLayout> {
    if (!this.feed.get(stream)) throw new NotFoundError('stream', stream);
    const def = this.requireDefinition(stream);
    const compound = new Set(statechartFor(def).nodes.filter((n) => n.children.length > 0).map((n) => n.path));
    const unknown = collapsed.filter((path) => !compound.has(path));
    if (unknown.length > 0) throw new ValidationError('invalid query', { collapsed: `not a compound state of ${def.id}: ${unknown.slice(0, 5).join(', ').slice(0, 200)}` });
    return chartFor(def, collapsed);
  }

  /**
   * The state after `version`, recomputed from the log by replay (from the latest usable stream
   * snapshot at or before it, never from the event's stored state).
   */
  async stateAt(stream: string, version: number): Promise<TimeTravel> {
    const def = this.requireDefinition(stream);
    const { events, start } = await this.audit.forReplay(stream, version);
    const event = events.find((e) => e.version === version);
    if (!event) throw new NotFoundError(`version ${version} of stream`, stream);
    try {
      const state = stateAtVersion(def, events, version, start);
      return { stream, version, type: event.type, at: event.meta.at, value: state.value, state: stateLabel(state.value), status: state.status, context: state.context, replayed: true };
    } catch (error) {
      if (!(error instanceof ReplayMismatchError)) throw error;
      // An auditor needs to see where the log and the machine disagree, not an error page.
      return { stream, version, replayed: false, mismatch: { version: error.version, machineVersion: error.machineVersion, reason: error.message } };
    }
  }

  /** A screenshot the stream's current context references; anything else is not found. */
  screenshot(stream: string, reference: string): Promise<Buffer> {
    return this.audit.artifact(stream, reference, (state: ActorState | null) => screenshotReferences(state?.context));
  }

  private requireDefinition(stream: string): AnyMachineDefinition {
    const def = this.audit.definitionFor(stream);
    if (!def) throw new NotFoundError('machine for stream', stream);
    return def;
  }
}
