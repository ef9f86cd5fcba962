// The portal simulator's job payload: a motor proposal (vehicle, then customer). The rules are
// the portal's own, checked at the API edge so a bad job gets a 4xx instead of a failed run.
import { z } from 'zod';

export const portalSimPayloadSchema = z
  .object({
    vehicle: z
      .object({
        make: z.string().min(1).max(40),
        model: z.string().min(1).max(40),
        registrationNo: z.string().regex(/^[A-Z0-9][A-Z0-9 -]{1,14}$/i, '2 to 15 letters, digits, spaces or dashes'),
        // A VIN: 17 characters without I, O or Q; this is also the business key.
        chassisNo: z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/i, 'a 17-character VIN'),
      })
      .strict(),
    customer: z
      .object({
        fullName: z.string().regex(/^[\p{L}][\p{L} .'-]{1,99}$/u, 'letters, spaces, dots, apostrophes, dashes'),
        dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'yyyy-mm-dd'),
        mobile: z.string().regex(/^\+?[0-9 -]{10,20}$/, '10 to 15 digits'),
        email: z.string().email().max(254),
      })
      .strict(),
  })
  .strict();

export type PortalSimPayload = z.infer<typeof portalSimPayloadSchema>;
