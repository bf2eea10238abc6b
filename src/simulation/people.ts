/**
 * The simulated residents. Every name is a common Norwegian first name and surname put together at random and marked
 * " (simulert)", every e-mail address is at example.org, and no phone numbers are made up: no real person is named.
 */
import { Prng } from './prng';
import { command, type TrialCommand } from './timeline';

const firstNames = [
  'Ingrid',
  'Kari',
  'Nora',
  'Emma',
  'Sofie',
  'Ida',
  'Maja',
  'Sara',
  'Anne',
  'Hilde',
  'Marit',
  'Astrid',
  'Liv',
  'Berit',
  'Thea',
  'Selma',
  'Amina',
  'Fatima',
  'Olga',
  'Linh',
  'Ole',
  'Lars',
  'Jonas',
  'Magnus',
  'Henrik',
  'Emil',
  'Kristian',
  'Anders',
  'Per',
  'Nils',
  'Jan',
  'Erik',
  'Bjørn',
  'Aksel',
  'Sander',
  'Tobias',
  'Eirik',
  'Mohammed',
  'Ali',
  'Piotr',
  'Åse',
  'Øystein',
];
const surnames = [
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Andersen',
  'Pedersen',
  'Nilsen',
  'Kristiansen',
  'Jensen',
  'Karlsen',
  'Johnsen',
  'Pettersen',
  'Eriksen',
  'Berg',
  'Haugen',
  'Hagen',
  'Johannessen',
  'Andreassen',
  'Jacobsen',
  'Dahl',
  'Jørgensen',
  'Halvorsen',
  'Lund',
  'Bakken',
  'Moen',
  'Strand',
  'Solberg',
  'Khan',
  'Nguyen',
  'Kowalski',
  'Ødegård',
];

/** Marks every generated name, so simulated people can never be taken for real ones. */
export const SIMULATED_NAME_SUFFIX = ' (simulert)';

export interface PersonProfile {
  area: string;
  /** Youth representatives are born later. */
  youth?: boolean;
}

function emailPart(name: string): string {
  return name.toLowerCase().replace(/æ/g, 'ae').replace(/ø/g, 'o').replace(/å/g, 'a');
}

export class PersonPool {
  readonly ids: readonly string[];
  private readonly indexOf: Map<string, number>;

  private constructor(
    ids: string[],
    private readonly seed: number,
    private readonly areas: readonly string[],
    private readonly profiles: readonly PersonProfile[],
  ) {
    this.ids = ids;
    this.indexOf = new Map(ids.map((id, i) => [id, i]));
  }

  /**
   * `count` persons living in `areas`; the first ones have the given profiles (the committee members, who live
   * where their committee works).
   */
  static create(
    prng: Prng,
    count: number,
    areas: readonly string[],
    profiles: readonly PersonProfile[],
  ): PersonPool {
    const ids = Array.from({ length: count }, () => prng.uuid());
    return new PersonPool(ids, prng.uint32(), areas, profiles);
  }

  get size(): number {
    return this.ids.length;
  }

  id(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new Error(`no simulated person #${index}`);
    return id;
  }

  index(personId: string): number | undefined {
    return this.indexOf.get(personId);
  }

  /** The person's registration; the same for the same person whenever it is asked for. */
  registration(index: number): TrialCommand {
    const prng = Prng.fromSeed((this.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const first = prng.pick(firstNames);
    const last = prng.pick(surnames);
    const profile = this.profiles[index] ?? { area: prng.pick(this.areas) };
    const birthYear = profile.youth ? prng.int(2003, 2006) : prng.int(1940, 2002);
    return command('RegisterPerson', {
      personId: this.id(index),
      name: `${first} ${last}${SIMULATED_NAME_SUFFIX}`,
      ...(prng.chance(0.8) && { email: `${emailPart(first)}.${emailPart(last)}.${index}@example.org` }),
      birthYear,
      area: profile.area,
    });
  }
}

/** The persons a command names (who is appointed, supports, votes, submits or attends). */
function personsNamedIn(c: TrialCommand): readonly string[] {
  switch (c.name) {
    case 'AppointMember':
    case 'RecordMemberLeft':
    case 'SupportProposal':
    case 'CastBallot':
      return [c.input.personId];
    case 'SubmitProposal':
      return c.input.submittedBy !== undefined ? [c.input.submittedBy] : [];
    case 'RecordMeeting':
      return c.input.attendeePersonIds ?? [];
    default:
      return [];
  }
}

/**
 * Registers each person just before the first command that names them, as a clerk would when someone first takes
 * part: every registered person has done something, and any prefix of a trial mixes registrations with the rest.
 */
export function* registeringPersons(
  pool: PersonPool,
  commands: Iterable<TrialCommand>,
): Generator<TrialCommand> {
  const registered = new Uint8Array(pool.size);
  for (const c of commands) {
    if (c.name !== 'RegisterPerson') {
      for (const personId of personsNamedIn(c)) {
        const index = pool.index(personId);
        if (index === undefined || registered[index]) continue;
        registered[index] = 1;
        yield pool.registration(index);
      }
    }
    yield c;
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Distinct persons drawn one at a time without remembering who was drawn: a walk through the pool with a random
 * start and a stride coprime to its size visits every person once before repeating.
 */
export function distinctPersons(prng: Prng, poolSize: number): () => number {
  if (poolSize < 2) return () => 0;
  const start = prng.int(0, poolSize - 1);
  let stride = prng.int(1, poolSize - 1);
  while (gcd(stride, poolSize) !== 1) stride = (stride % (poolSize - 1)) + 1;
  let k = 0;
  return () => (start + k++ * stride) % poolSize;
}
