// Sample proposals for the portal simulator: the demo, the chaos test and the benchmarks submit
// these. Deterministic per number, each with its own valid VIN (the business key).
import type { PortalSimPayload } from './portal-sim.payload';

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const VEHICLES = [
  ['Toyota', 'Corolla'],
  ['Honda', 'Civic'],
  ['Suzuki', 'Swift'],
  ['Ford', 'Focus'],
] as const;
const NAMES = ['Asha Verma', 'Ravi Kumar', 'Meera Iyer', 'Arjun Rao', 'Fatima Shaikh', 'Kiran Das'];

/** A 17-character VIN without I, O or Q, unique per (run, n). */
export function sampleVin(n: number, run = 'DEMO'): string {
  const prefix = run.toUpperCase().replace(/[^A-HJ-NPR-Z0-9]/g, '').padEnd(4, '0').slice(0, 4);
  let body = '';
  let x = n;
  for (let i = 0; i < 13; i++) {
    body = VIN_CHARS[x % VIN_CHARS.length] + body;
    x = Math.floor(x / VIN_CHARS.length);
  }
  return prefix + body;
}

export function sampleProposal(n: number, run?: string): PortalSimPayload {
  const [make, model] = VEHICLES[n % VEHICLES.length];
  return {
    vehicle: { make, model, registrationNo: `KA-${String(1 + (n % 99)).padStart(2, '0')}-AB-${String(1000 + (n % 9000))}`, chassisNo: sampleVin(n, run) },
    customer: {
      fullName: NAMES[n % NAMES.length],
      dateOfBirth: `19${60 + (n % 40)}-0${1 + (n % 9)}-1${n % 10}`,
      mobile: `+9198${String(10_000_000 + n).slice(-8)}`,
      email: `customer${n}@example.com`,
    },
  };
}
