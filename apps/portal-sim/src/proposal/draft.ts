// A proposal in progress: what each completed step contributed, keyed by its form token.
export interface VehicleDetails {
  make: string;
  model: string;
  registrationNo: string;
  /** The business key: normalised to upper case. */
  chassisNo: string;
}

export interface CustomerDetails {
  fullName: string;
  /** yyyy-mm-dd */
  dateOfBirth: string;
  mobile: string;
  email: string;
}

export interface ProposalDraft {
  readonly token: string;
  vehicle?: VehicleDetails;
  customer?: CustomerDetails;
  premium?: number;
  quoteAccepted: boolean;
}
