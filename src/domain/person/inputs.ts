/**
 * What a person's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id, PersonalData } from '../values';
import { personEvents } from './events';

const registered = personEvents.PersonRegistered.shape;

/** RegisterPerson takes the personal fields in the clear; the application seals them after deciding. */
export const registerPersonBody = PersonalData.extend({
  birthYear: registered.birthYear,
  area: registered.area,
});
export const registerPersonInput = registerPersonBody.extend({ personId: Id });
export type RegisterPersonInput = z.infer<typeof registerPersonInput>;

export const erasePersonalDataBody = personEvents.PersonalDataErased;
export const erasePersonalDataInput = erasePersonalDataBody.extend({ personId: Id });
export type ErasePersonalDataInput = z.infer<typeof erasePersonalDataInput>;
