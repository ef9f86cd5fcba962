import { PortalSimAdapter } from './portal-sim.adapter';
import { portalSimPayloadSchema } from './portal-sim.payload';
import { validPayload } from '../../test-support/payloads';


describe('portal-sim payload and business key', () => {
  const adapter = new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:1' });

  it('accepts a complete proposal and keys it by the upper-cased chassis number', () => {
    const payload = portalSimPayloadSchema.parse(validPayload);
    expect(adapter.businessKey(payload)).toBe('JT2BF22K1W0123456');
  });

  it('names each bad field', () => {
    const result = portalSimPayloadSchema.safeParse({
      vehicle: { ...validPayload.vehicle, chassisNo: 'OIQ' },
      customer: { ...validPayload.customer, dateOfBirth: '12/04/1985', email: 'nope' },
    });
    expect(result.success).toBe(false);
    const paths = result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
    expect(paths.sort()).toEqual(['customer.dateOfBirth', 'customer.email', 'vehicle.chassisNo']);
  });

  it('rejects unknown fields instead of silently dropping them', () => {
    expect(portalSimPayloadSchema.safeParse({ ...validPayload, extra: 1 }).success).toBe(false);
  });

  it('derives its origin from the base URL and declares its fill steps', () => {
    expect(new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:4000/some/path' }).origin).toBe('http://127.0.0.1:4000');
    expect(adapter.fillSteps).toEqual(['vehicle', 'customer', 'quote']);
    expect(adapter.id).toBe('portal-sim');
  });
});
