/**
 * Who a person id is, as much as the caller may know (API.md "Who sees what"): names for clerks and admins
 * (decrypted from the person's registration), a pseudonym for evaluators, nothing for anonymous callers.
 */
import { SealedPersonal, type PersonalData } from '../domain/events';
import type { EventStore, RecordedEvent } from '../store/eventStore';
import type { PersonalDataVault } from './personalDataVault';
import { pseudonymisedEvent, type Pseudonyms } from './pseudonyms';

export type Audience = 'admin' | 'clerk' | 'evaluator' | 'anonymous';

export interface PersonRef {
  personId?: string;
  pseudonym?: string;
  name?: string | null;
  erased?: boolean;
}

export class PersonDirectory {
  constructor(
    private readonly store: EventStore,
    private readonly vault: PersonalDataVault,
    private readonly pseudonyms: Pseudonyms,
  ) {}

  /** The personal data of a registered person, or null when unknown or erased. */
  async personal(personId: string): Promise<PersonalData | null> {
    const [registered] = await this.store.readStream(`person-${personId}`, { limit: 1 });
    if (!registered || registered.type !== 'PersonRegistered' || !registered.dataKeyId) return null;
    const sealed = SealedPersonal.safeParse((registered.data as { personal?: unknown }).personal);
    if (!sealed.success) return null;
    return this.vault.open(personId, registered.dataKeyId, sealed.data);
  }

  async describe(personId: string, audience: Audience): Promise<PersonRef> {
    switch (audience) {
      case 'admin':
      case 'clerk': {
        const personal = await this.personal(personId);
        return { personId, name: personal?.name ?? null, ...(personal ? {} : { erased: true }) };
      }
      case 'evaluator':
        return { pseudonym: this.pseudonyms.of(personId) };
      case 'anonymous':
        return {};
    }
  }

  pseudonymOf(personId: string): string {
    return this.pseudonyms.of(personId);
  }

  /**
   * An event as the caller may see it: as stored for clerks and admins, person ids pseudonymised for everyone else
   * (the routes that serve events let no anonymous caller in; should one get here, it gets no more than evaluators).
   */
  event(event: RecordedEvent, audience: Audience): RecordedEvent {
    return audience === 'admin' || audience === 'clerk' ? event : pseudonymisedEvent(event, this.pseudonyms);
  }
}
