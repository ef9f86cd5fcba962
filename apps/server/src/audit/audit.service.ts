// Reads the log for auditors: a stream's events, its state at a version recomputed by replay
// (not the stored snapshot), and the whole-store verification (hash chains and determinism).
import { Inject, Injectable } from '@nestjs/common';
import { ActorHost, NotFoundError, auditStore, stateAtVersion, type AuditReport, type EventStore, type Logger, type MachineDefinition } from '@engine/core';
import { ACTOR_HOST, EVENT_STORE, LOGGER, MACHINES } from '../common/tokens';

@Injectable()
export class AuditService {
  private background?: Promise<AuditReport>;
  private lastReport?: AuditReport & { finishedAt: string };

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACTOR_HOST) private readonly host: ActorHost,
    @Inject(MACHINES) private readonly machines: MachineDefinition[],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async events(stream: string, from = 1, limit = 1000) {
    const events = await this.store.read(stream, from);
    if (events.length === 0 && (await this.store.streamVersion(stream)) === 0) throw new NotFoundError('stream', stream);
    return { stream, events: events.slice(0, limit), next: events.length > limit ? events[limit].version : null };
  }

  async stateAt(stream: string, version: number) {
    const def = this.host.definitionFor(stream);
    const events = await this.store.read(stream);
    if (events.length === 0) throw new NotFoundError('stream', stream);
    return { stream, version, machineId: def.id, machineVersion: def.version, state: stateAtVersion(def, events, version), replayed: true };
  }

  async verify(): Promise<AuditReport> {
    const report = await auditStore(this.store, this.machines);
    this.lastReport = { ...report, finishedAt: new Date().toISOString() };
    return report;
  }

  /** Started after start-up restore; problems are logged and kept for /health and the API. */
  startBackground(): void {
    this.background ??= this.verify().then(
      (report) => {
        if (!report.ok) this.logger.error('background audit found problems', { chain: report.chainProblems.length, replay: report.replayProblems.length });
        else this.logger.info('background audit passed', { streams: report.streams, events: report.events });
        return report;
      },
      (error) => {
        this.logger.error('background audit could not run', { message: (error as Error).message });
        throw error;
      },
    );
    this.background.catch(() => undefined);
  }

  last() {
    return this.lastReport ?? null;
  }
}
