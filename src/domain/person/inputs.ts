import type { z } from 'zod';
import { eventDataSchemas, Id, PersonalData } from '../events';

const registered = eventDataSchemas.PersonRegistered.shape;

/** POST /persons: the personal fields in the clear; the application seals them after deciding. */
export const registerPersonBody = PersonalData.extend({
  birthYear: registered.birthYear,
  area: registered.area,
});
export const registerPersonInput = registerPersonBody.extend({ personId: Id });
export type RegisterPersonInput = z.infer<typeof registerPersonInput>;

/** POST /persons/:id/erasure */
export const erasePersonalDataBody = eventDataSchemas.PersonalDataErased;
export const erasePersonalDataInput = erasePersonalDataBody.extend({ personId: Id });
export type ErasePersonalDataInput = z.infer<typeof erasePersonalDataInput>;
