import { findModel } from '@engine/portal-sim/testing';
import { portalSimPayloadSchema } from './portal-sim.payload';
import { sampleProposal, sampleVin } from './portal-sim.samples';

describe('portal-sim samples', () => {
  it('are valid payloads with distinct VINs', () => {
    const vins = new Set<string>();
    for (let n = 0; n < 500; n++) {
      const payload = sampleProposal(n, 'chaos');
      expect(portalSimPayloadSchema.safeParse(payload).success).toBe(true);
      vins.add(payload.vehicle.chassisNo);
    }
    expect(vins.size).toBe(500);
  });

  it('only name vehicles the simulator offers', () => {
    for (let n = 0; n < 8; n++) {
      const { make, model } = sampleProposal(n).vehicle;
      expect(findModel(make, model)).toBeDefined();
    }
  });

  it('differ between runs', () => {
    expect(sampleVin(1, 'runa')).not.toBe(sampleVin(1, 'runb'));
  });
});
