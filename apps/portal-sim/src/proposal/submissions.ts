// The portal's record of submitted proposals, searchable by business key (chassis number):
// the engine reconciles a submission whose answer it never saw by looking it up here.
import type { CustomerDetails, VehicleDetails } from './draft';

export interface Submission {
  reference: string;
  chassisNo: string;
  submittedAt: number;
  username: string;
  vehicle: VehicleDetails;
  customer: CustomerDetails;
  premium: number;
}

export class SubmissionLog {
  private readonly byReference = new Map<string, Submission>();
  private readonly byChassis = new Map<string, Submission[]>();
  private sequence = 0;

  constructor(private readonly now: () => number) {}

  record(entry: Omit<Submission, 'reference' | 'submittedAt'>): Submission {
    const submittedAt = this.now();
    this.sequence++;
    const reference = `PRP-${new Date(submittedAt).getUTCFullYear()}-${String(this.sequence).padStart(6, '0')}`;
    const submission: Submission = { ...entry, reference, submittedAt };
    this.byReference.set(reference, submission);
    const list = this.byChassis.get(entry.chassisNo) ?? [];
    list.push(submission);
    this.byChassis.set(entry.chassisNo, list);
    return submission;
  }

  findByReference(reference: string): Submission | undefined {
    return this.byReference.get(reference);
  }

  findByChassis(chassisNo: string): readonly Submission[] {
    return this.byChassis.get(chassisNo.trim().toUpperCase()) ?? [];
  }
}
