// The `sendAlert` effect on the real engine loop: a master session that exhausts its recovery
// ladder sends its critical alert through the Alerter; a failed delivery is re-sent by the
// machine with the same alert id, and the stream records ALERT_SENT.
import { ActorHost, SimulatedClock } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { MASTER_SESSION_MACHINE } from '@engine/machines';
import { FakeEffects, MASTER_INPUT as INPUT } from '@engine/machines/testing';
import { alertEffects } from './alert-effects';
import { RecordingAlerter } from './alert-test-kit';

const STREAM = 'master-portal-a';

describe('alertEffects: sendAlert', () => {
  it('delivers the critical alert of an exhausted recovery, re-sending a failed delivery with the same id', async () => {
    const store = new MemoryEventStore();
    const clock = new SimulatedClock();
    const alerter = new RecordingAlerter();
    alerter.failNext = 1;
    const fakes = new FakeEffects(clock, { relogin: ['fail', 'fail', 'fail'], login: ['ok', 'fail', 'fail', 'fail'], restoreProfile: ['fail'] });
    const host = new ActorHost({ store, clock, definitions: [MASTER_SESSION_MACHINE], effects: { ...fakes.registry(), ...alertEffects(alerter, clock) } });
    try {
      await host.create('master-session', 'portal-a', INPUT);
      await host.idle();
      await host.send(STREAM, { type: 'FAILURE_REPORTED', jobId: 'job-1', reason: 'login form', at: new Date(clock.now()).toISOString() });
      await host.idle();
      for (let i = 0; i < 30 && alerter.sent.length === 0; i++) {
        await clock.advance(60_000);
        await host.idle();
      }
      expect(alerter.sent).toEqual([
        expect.objectContaining({ id: 'portal-a:recovery-1', level: 'critical', code: 'RECOVERY_EXHAUSTED', portal: 'portal-a' }),
      ]);
      const events = await store.read(STREAM);
      const alertFailures = events.filter((e) => e.type === 'EFFECT_FAILED' && (e.data as { effect: string }).effect === 'sendAlert');
      expect(alertFailures).toHaveLength(1);
      expect(events.filter((e) => e.type === 'ALERT_SENT')).toHaveLength(1);
      expect((await host.getState(STREAM))!.state.value).toMatchObject({ critical: { alert: 'sent' } });
    } finally {
      await host.stop(100);
    }
  });
});
