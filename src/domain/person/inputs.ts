import type { z } from 'zod';
import { Id, PersonalData } from '../values';
import { personEvents } from './events';

const registered = personEvents.PersonRegistered.shape;

/** POST /persons: the personal fields in the clear; the application seals them after deciding. */
export const registerPersonBody = PersonalData.extend({
  birthYear: registered.birthYear,
  area: registered.area,
});
export const registerPersonInput = registerPersonBody.extend({ personId: Id });
export type RegisterPersonInput = z.infer<typeof registerPersonInput>;

/** POST /persons/:id/erasure */
export const erasePersonalDataBody = personEvents.PersonalDataErased;
export const erasePersonalDataInput = erasePersonalDataBody.extend({ personId: Id });
export type ErasePersonalDataInput = z.infer<typeof erasePersonalDataInput>;
