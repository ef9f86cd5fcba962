// Counters that let tests prove what happened on the portal side, above all that no business
// key was submitted twice.
export interface PortalSimStats {
  logins: number;
  failedLogins: number;
  activeSessions: number;
  /** Submissions per business key (chassis number). */
  submissions: Record<string, number>;
  /** Number of business keys submitted more than once. */
  duplicates: number;
  /** Submissions beyond the first, summed over all keys. */
  extraSubmissions: number;
  /** Requests served, the /__test hooks excluded. */
  requests: number;
}

export class StatsCounter {
  logins = 0;
  failedLogins = 0;
  requests = 0;
  private readonly submissions = new Map<string, number>();

  recordSubmission(chassisNo: string): void {
    this.submissions.set(chassisNo, (this.submissions.get(chassisNo) ?? 0) + 1);
  }

  snapshot(activeSessions: number): PortalSimStats {
    let duplicates = 0;
    let extraSubmissions = 0;
    for (const count of this.submissions.values()) {
      if (count > 1) {
        duplicates++;
        extraSubmissions += count - 1;
      }
    }
    return {
      logins: this.logins,
      failedLogins: this.failedLogins,
      activeSessions,
      submissions: Object.fromEntries(this.submissions),
      duplicates,
      extraSubmissions,
      requests: this.requests,
    };
  }
}
