// Valid proposal entries for the tests; each test takes its own chassis number (business key).
let counter = 0;

/** A fresh, valid 17-character chassis number (VIN alphabet: no I, O or Q). */
export function newChassisNo(): string {
  counter++;
  return `TESTVHC${String(counter).padStart(10, '0')}`;
}

export function vehicleForm(chassisNo: string): Record<string, string> {
  return { ddlMake: 'Toyota', ddlModel: 'Corolla', txtRegistrationNo: 'KA-01-1234', txtChassisNo: chassisNo };
}

export const CUSTOMER_FORM: Readonly<Record<string, string>> = {
  txtFullName: 'Asha Verma',
  txtDateOfBirth: '1985-04-12',
  txtMobile: '+919876543210',
  txtEmail: 'asha@example.com',
};
