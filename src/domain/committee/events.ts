/** The committee's events, on its stream `committee-<id>`: one zod schema per event type, field names DOMAIN.md's. */
import { z } from 'zod';
import {
  IsoDate,
  Id,
  Name,
  Reason,
  AreaName,
  CaseNumber,
  WholeNok,
  CommitteeKind,
  CoCreationForm,
  Mandate,
  RepresentationBasis,
  ActorGroup,
  MemberRole,
  Period,
} from '../values';

export const committeeEvents = {
  CommitteeEstablished: z.strictObject({
    committeeId: Id,
    name: Name,
    kind: CommitteeKind,
    arenaId: Id.optional(),
    areas: z.array(AreaName).max(100),
    theme: Name.optional(),
    mandate: Mandate,
    coCreationForm: CoCreationForm,
    period: Period,
    establishedBy: z.strictObject({ bodyId: Id, caseNumber: CaseNumber }).optional(),
  }),
  MemberAppointed: z.strictObject({
    personId: Id,
    role: MemberRole,
    actorGroup: ActorGroup,
    representationBasis: RepresentationBasis,
    represents: Name.optional(),
    appointedOn: IsoDate,
  }),
  MemberLeft: z.strictObject({ personId: Id, leftOn: IsoDate, reason: Reason.optional() }),
  BudgetAllocated: z.strictObject({ year: z.number().int().min(1900).max(2200), amountNok: WholeNok }),
  CommitteeDissolved: z.strictObject({ dissolvedOn: IsoDate, reason: Reason }),
} as const;
