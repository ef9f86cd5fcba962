// Proposal payloads for the portal simulator's tests; `withChassis` gives each test its own business key.
import type { PortalSimPayload } from '../src/portal-sim/portal-sim.payload';

export const validPayload: PortalSimPayload = {
  vehicle: { make: 'Toyota', model: 'Corolla', registrationNo: 'KA-01-AB-1234', chassisNo: 'jt2bf22k1w0123456' },
  customer: { fullName: 'Asha Verma', dateOfBirth: '1985-04-12', mobile: '+919812345678', email: 'asha@example.com' },
};

export function withChassis(chassisNo: string): PortalSimPayload {
  return { ...validPayload, vehicle: { ...validPayload.vehicle, chassisNo } };
}
