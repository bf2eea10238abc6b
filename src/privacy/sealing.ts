/**
 * Personal data on its way into the log. A registration's personal fields are sealed under the person's own key
 * before the event reaches the store, so the store never holds them in the clear; once an erasure is on record the
 * key is destroyed (crypto-shredding): the sealed data stays in the log, and in every proof over it, and nobody can
 * open it any more. Opening is the person directory's (personDirectory.ts).
 */
import { idInStream, PersonalData, type DomainEvent } from '../domain/events';
import { PersonalDataVault } from './personalDataVault';

/** What an event stores: its data, with personal fields sealed, and the key they are sealed under. */
export interface StoredData {
  data: unknown;
  dataKeyId?: string;
}

/** An event's data as it may be stored: a PersonRegistered's personal fields sealed, everything else as it is. */
export function sealedData(vault: PersonalDataVault, event: DomainEvent): StoredData {
  if (event.type !== 'PersonRegistered') return { data: event.data };
  const plain = PersonalData.safeParse(event.data.personal);
  // Already sealed (a replayed or imported event) or not personal data: stored as it came.
  if (!plain.success) return { data: event.data };
  const { sealed, keyId } = vault.seal(event.data.personId, plain.data);
  return { data: { ...event.data, personal: sealed }, dataKeyId: keyId };
}

/** Destroys the person's key once `events`, appended to `streamId`, put an erasure on record. */
export function shredErased(
  vault: PersonalDataVault,
  streamId: string,
  events: readonly DomainEvent[],
): void {
  if (events.some((e) => e.type === 'PersonalDataErased')) {
    vault.erase(PersonalDataVault.keyIdFor(idInStream(streamId, 'person')));
  }
}
