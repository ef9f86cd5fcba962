import { computePremium, formatPremium } from './premium';
import { readFields, validateCustomer, validateVehicle } from './validation';

const NOW = Date.UTC(2026, 10, 29);
const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const VEHICLE = { ddlMake: 'Honda', ddlModel: 'CR-V', txtRegistrationNo: 'mh 12 ab 1234', txtChassisNo: '1hgcm82633a004352' };
const CUSTOMER = { txtFullName: "Anne O'Neil-Smith", txtDateOfBirth: '1990-02-28', txtMobile: '+44 7700 900123', txtEmail: 'Anne@Example.com' };

function errorsOf<T>(result: { ok: true; value: T } | { ok: false; errors: Record<string, string> }): Record<string, string> {
  return result.ok ? {} : result.errors;
}

describe('readFields', () => {
  it('reports missing, empty, repeated and overlong fields', () => {
    const body = new URLSearchParams('a=1&b=&c=x&c=y&d=' + 'x'.repeat(201));
    const { errors } = readFields(body, ['a', 'b', 'c', 'd', 'e']);
    expect(Object.keys(errors).sort()).toEqual(['b', 'c', 'd', 'e']);
  });
});

describe('validateVehicle', () => {
  it('accepts a valid vehicle and normalises the business key to upper case', () => {
    const result = validateVehicle(form(VEHICLE));
    expect(result).toEqual({
      ok: true,
      value: { make: 'Honda', model: 'CR-V', registrationNo: 'MH 12 AB 1234', chassisNo: '1HGCM82633A004352' },
    });
  });

  it.each([
    [{ ddlMake: 'Tesla' }, 'ddlMake'],
    [{ ddlModel: 'Corolla' }, 'ddlModel'],
    [{ txtRegistrationNo: '#' }, 'txtRegistrationNo'],
    [{ txtChassisNo: '1HGCM82633A00435' }, 'txtChassisNo'],
    [{ txtChassisNo: '1HGCM82633A00435O' }, 'txtChassisNo'],
  ])('rejects %o with an error on %s', (patch, field) => {
    expect(Object.keys(errorsOf(validateVehicle(form({ ...VEHICLE, ...patch }))))).toEqual([field]);
  });

  it('does not blame the model when the make is missing', () => {
    expect(Object.keys(errorsOf(validateVehicle(form({ ...VEHICLE, ddlMake: '' }))))).toEqual(['ddlMake']);
  });
});

describe('validateCustomer', () => {
  it('accepts a valid customer', () => {
    expect(validateCustomer(form(CUSTOMER), NOW)).toEqual({
      ok: true,
      value: { fullName: "Anne O'Neil-Smith", dateOfBirth: '1990-02-28', mobile: '+447700900123', email: 'anne@example.com' },
    });
  });

  it.each([
    [{ txtFullName: '12345' }, 'txtFullName'],
    [{ txtDateOfBirth: '28/02/1990' }, 'txtDateOfBirth'],
    [{ txtDateOfBirth: '1990-02-30' }, 'txtDateOfBirth'],
    [{ txtDateOfBirth: '2010-01-01' }, 'txtDateOfBirth'],
    [{ txtMobile: '12345' }, 'txtMobile'],
    [{ txtEmail: 'anne.example.com' }, 'txtEmail'],
  ])('rejects %o with an error on %s', (patch, field) => {
    expect(Object.keys(errorsOf(validateCustomer(form({ ...CUSTOMER, ...patch }), NOW)))).toEqual([field]);
  });

  it('keeps the entered values for the re-rendered page', () => {
    const result = validateCustomer(form({ ...CUSTOMER, txtMobile: 'abc' }), NOW);
    expect(result.ok ? undefined : result.values.txtFullName).toBe(CUSTOMER.txtFullName);
  });
});

describe('computePremium', () => {
  const vehicle = { make: 'Toyota', model: 'Corolla', registrationNo: 'X1', chassisNo: 'V' };
  const customer = (dateOfBirth: string) => ({ fullName: 'A B', dateOfBirth, mobile: '0', email: 'a@b.cd' });

  it('weights the base rate by the driver age and adds the policy fee', () => {
    expect(computePremium(vehicle, customer('1985-04-12'), NOW)).toBe(555);
    expect(computePremium(vehicle, customer('2005-01-01'), NOW)).toBe(867);
    expect(formatPremium(1234.5)).toBe('1,234.50');
  });

  it('counts the birthday only once it has passed', () => {
    expect(computePremium(vehicle, customer('2001-11-30'), NOW)).toBe(867);
    expect(computePremium(vehicle, customer('2001-11-29'), NOW)).toBe(659);
  });
});
