// The premium the quote step shows: the model's base rate weighted by the driver's age.
import { findModel } from './catalog';
import type { CustomerDetails, VehicleDetails } from './draft';

const POLICY_FEE = 35;

export function ageOn(dateOfBirth: string, nowMs: number): number {
  const [year, month, day] = dateOfBirth.split('-').map(Number);
  const today = new Date(nowMs);
  let age = today.getUTCFullYear() - year;
  const beforeBirthday = today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  if (beforeBirthday) age--;
  return age;
}

function ageFactor(age: number): number {
  if (age < 25) return 1.6;
  if (age < 30) return 1.2;
  if (age < 65) return 1;
  return 1.25;
}

export function computePremium(vehicle: VehicleDetails, customer: CustomerDetails, nowMs: number): number {
  const model = findModel(vehicle.make, vehicle.model);
  if (!model) throw new RangeError(`unknown model ${vehicle.make} ${vehicle.model}`);
  return Math.round((model.basePremium * ageFactor(ageOn(customer.dateOfBirth, nowMs)) + POLICY_FEE) * 100) / 100;
}

export function formatPremium(premium: number): string {
  return premium.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
