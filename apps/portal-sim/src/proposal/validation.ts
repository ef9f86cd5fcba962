// Server-side validation of the posted form fields, returning per-field errors the page shows
// in `.field-error[data-field=...]`. Posted bodies are untrusted: fields may be missing,
// repeated, oversize or of the wrong shape.
import { findModel, modelsOf } from './catalog';
import type { CustomerDetails, VehicleDetails } from './draft';
import { ageOn } from './premium';

export type FieldErrors = Record<string, string>;

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

const MAX_FIELD_LENGTH = 200;

/** Reads single-valued text fields; a repeated or overlong field is an error, not a guess. */
export function readFields(body: URLSearchParams, names: readonly string[]): { values: Record<string, string>; errors: FieldErrors } {
  const values: Record<string, string> = {};
  const errors: FieldErrors = {};
  for (const name of names) {
    const all = body.getAll(name);
    if (all.length > 1) errors[name] = 'Must be a single value.';
    else if (all.length === 0 || all[0].trim() === '') errors[name] = 'Required.';
    else if (all[0].length > MAX_FIELD_LENGTH) errors[name] = `Must be at most ${MAX_FIELD_LENGTH} characters.`;
    values[name] = (all[0] ?? '').trim().slice(0, MAX_FIELD_LENGTH);
  }
  return { values, errors };
}

export const VEHICLE_FIELDS = ['ddlMake', 'ddlModel', 'txtRegistrationNo', 'txtChassisNo'] as const;
export const CUSTOMER_FIELDS = ['txtFullName', 'txtDateOfBirth', 'txtMobile', 'txtEmail'] as const;

const REGISTRATION_NO = /^[A-Z0-9][A-Z0-9 -]{1,14}$/i;
// A VIN: 17 characters, no I, O or Q.
const CHASSIS_NO = /^[A-HJ-NPR-Z0-9]{17}$/;
const FULL_NAME = /^[\p{L}][\p{L} .'-]{1,99}$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MOBILE = /^\+?[0-9]{10,15}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export function validateVehicle(body: URLSearchParams): Validated<VehicleDetails> {
  const { values, errors } = readFields(body, VEHICLE_FIELDS);
  const make = values.ddlMake;
  const model = values.ddlModel;
  const chassisNo = values.txtChassisNo.toUpperCase();
  if (!errors.ddlMake && modelsOf(make).length === 0) errors.ddlMake = 'Select a make from the list.';
  if (!errors.ddlModel && !errors.ddlMake && !findModel(make, model)) errors.ddlModel = 'Select a model of this make.';
  if (!errors.txtRegistrationNo && !REGISTRATION_NO.test(values.txtRegistrationNo)) {
    errors.txtRegistrationNo = 'Enter a registration number of 2 to 15 letters, digits, spaces or dashes.';
  }
  if (!errors.txtChassisNo && !CHASSIS_NO.test(chassisNo)) errors.txtChassisNo = 'Enter the 17-character chassis number (VIN).';
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    value: { make, model, registrationNo: values.txtRegistrationNo.toUpperCase(), chassisNo },
  };
}

export function validateCustomer(body: URLSearchParams, nowMs: number): Validated<CustomerDetails> {
  const { values, errors } = readFields(body, CUSTOMER_FIELDS);
  const mobile = values.txtMobile.replace(/[\s-]/g, '');
  if (!errors.txtFullName && !FULL_NAME.test(values.txtFullName)) errors.txtFullName = 'Enter the full name in letters.';
  if (!errors.txtDateOfBirth) {
    if (!isCalendarDate(values.txtDateOfBirth)) errors.txtDateOfBirth = 'Enter the date of birth as yyyy-mm-dd.';
    else {
      const age = ageOn(values.txtDateOfBirth, nowMs);
      if (age < 18 || age > 100) errors.txtDateOfBirth = 'The driver must be between 18 and 100 years old.';
    }
  }
  if (!errors.txtMobile && !MOBILE.test(mobile)) errors.txtMobile = 'Enter a mobile number of 10 to 15 digits.';
  if (!errors.txtEmail && (values.txtEmail.length > 254 || !EMAIL.test(values.txtEmail))) errors.txtEmail = 'Enter a valid e-mail address.';
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    value: { fullName: values.txtFullName, dateOfBirth: values.txtDateOfBirth, mobile, email: values.txtEmail.toLowerCase() },
  };
}

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
