/** The person's events, on its stream `person-<id>`: one zod schema per event type, field names DOMAIN.md's. */
import { z } from 'zod';
import { IsoDate, Id, Reason, AreaName, PersonalData, SealedPersonal } from '../values';

export const personEvents = {
  PersonRegistered: z.strictObject({
    personId: Id,
    personal: z.union([PersonalData, SealedPersonal]),
    birthYear: z.number().int().min(1900).max(2100).optional(),
    area: AreaName.optional(),
  }),
  PersonalDataErased: z.strictObject({ erasedOn: IsoDate, reason: Reason }),
} as const;
