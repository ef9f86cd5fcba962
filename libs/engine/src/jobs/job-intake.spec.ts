import { ActorHost, InvalidCommandError, SimulatedClock, ValidationError } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { JOB_MACHINE } from '@engine/machines';
import { z } from 'zod';
import { JobIntake, type IntakePortal } from './job-intake';

const portal: IntakePortal = {
  id: 'sim',
  payloadSchema: z.object({ chassisNo: z.string().min(5), name: z.string() }).strict(),
  businessKey: (p: { chassisNo: string }) => p.chassisNo,
  fillSteps: ['vehicle', 'customer'],
};

describe('JobIntake', () => {
  let store: MemoryEventStore;
  let intake: JobIntake;

  beforeEach(() => {
    store = new MemoryEventStore();
    const clock = new SimulatedClock();
    const host = new ActorHost({ store, clock, definitions: [JOB_MACHINE], effects: {} });
    intake = new JobIntake({ host, clock, portals: (id) => (id === 'sim' ? portal : undefined) });
  });

  const eventCount = async () => (await store.readAll()).length;
  const payload = { chassisNo: 'CH12345', name: 'Asha' };

  it('creates the job stream once: the same key returns the same job id', async () => {
    const first = await intake.submitJob({ portal: 'sim', payload, idempotencyKey: 'order-1' });
    const again = await intake.submitJob({ portal: 'sim', payload, idempotencyKey: 'order-1' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(await eventCount()).toBe(1);
    const [started] = await store.read(first.stream);
    expect(started.data).toMatchObject({ input: { businessKey: 'CH12345', steps: ['vehicle', 'customer'], portal: 'sim' } });
  });

  it("records a portal's own attempts and waits in its jobs' input, and the engine's for other portals", async () => {
    const clock = new SimulatedClock();
    const host = new ActorHost({ store, clock, definitions: [JOB_MACHINE], effects: {} });
    const other: IntakePortal = { ...portal, id: 'other' };
    const perPortal = new JobIntake({
      host,
      clock,
      portals: (id) => (id === 'sim' ? portal : id === 'other' ? other : undefined),
      maxAttempts: 3,
      retryDelayMs: 60_000,
      portalPolicy: (id) => (id === 'sim' ? { maxAttempts: 6, retryDelayMs: 10_000, lookupRetries: { max: 1, minMs: 1_000, maxMs: 2_000 } } : undefined),
    });
    const own = await perPortal.submitJob({ portal: 'sim', payload, idempotencyKey: 'own' });
    const theirs = await perPortal.submitJob({ portal: 'other', payload, idempotencyKey: 'theirs' });
    const inputOf = async (stream: string) => ((await store.read(stream))[0].data as { input: Record<string, unknown> }).input;
    expect(await inputOf(own.stream)).toMatchObject({ maxAttempts: 6, retryDelayMs: 10_000, lookupRetries: { max: 1, minMs: 1_000, maxMs: 2_000 } });
    expect((await inputOf(own.stream)).retryBackoff).toMatchObject({ maxMs: 10_000 });
    expect(await inputOf(theirs.stream)).toMatchObject({ maxAttempts: 3, retryDelayMs: 60_000, retryBackoff: { maxMs: 60_000 } });
  });

  it('lists every field error and appends nothing', async () => {
    const error = await intake.submitJob({ portal: 'sim', payload: { chassisNo: '1', extra: true }, idempotencyKey: 'bad key/../x' }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys(error.fields).sort()).toEqual(['idempotencyKey', 'payload', 'payload.chassisNo', 'payload.name'].sort());
    expect(await eventCount()).toBe(0);
  });

  it('refuses an unknown portal', async () => {
    await expect(intake.submitJob({ portal: 'nope', payload, idempotencyKey: 'k' })).rejects.toMatchObject({ fields: { portal: 'unknown portal' } });
    expect(await eventCount()).toBe(0);
  });

  it('refuses a key reused for a different payload instead of guessing', async () => {
    await intake.submitJob({ portal: 'sim', payload, idempotencyKey: 'order-2' });
    await expect(intake.submitJob({ portal: 'sim', payload: { ...payload, name: 'Other' }, idempotencyKey: 'order-2' })).rejects.toBeInstanceOf(InvalidCommandError);
    expect(await eventCount()).toBe(1);
  });
});
