/**
 * The shape of Asker kommune's 2020–2022 trial, as the simulator reproduces it: the citizen squares, the three
 * local community committees and two task committees, the political bodies that take their referrals, and the
 * words proposals are made of. Names of places and bodies are real; every person is invented (see people.ts).
 */
import type { EventData } from '../domain/events';

type CommitteeData = EventData<'CommitteeEstablished'>;
type MemberData = EventData<'MemberAppointed'>;

export const TRIAL_START = '2020-06-01';
/** The last business date the simulator uses: everything it records has happened by the end of the trial. */
export const TRIAL_END = '2022-12-31';

export interface ArenaShape {
  key: string;
  name: string;
  areas: string[];
}

export const arenas: readonly ArenaShape[] = [
  { key: 'heggedal', name: 'Heggedal innbyggertorg', areas: ['Heggedal'] },
  { key: 'slemmestad', name: 'Slemmestad innbyggertorg', areas: ['Slemmestad', 'Vollen'] },
  { key: 'tofte', name: 'Tofte innbyggertorg', areas: ['Tofte', 'Filtvet', 'Holmsbu', 'Kana'] },
  { key: 'sentrum', name: 'Asker sentrum innbyggertorg', areas: ['Asker sentrum'] },
];

export type BodyKey = 'council' | 'executive' | 'citizenship' | 'administration';

export type BodyShape = Omit<EventData<'PoliticalBodyRegistered'>, 'bodyId'> & { key: BodyKey };

export const politicalBodies: readonly BodyShape[] = [
  { key: 'council', name: 'Kommunestyret', kind: 'council', seats: 55 },
  { key: 'executive', name: 'Formannskapet', kind: 'executive_committee', seats: 13 },
  { key: 'citizenship', name: 'Utvalg for medborgerskap', kind: 'standing_committee', seats: 11 },
  { key: 'administration', name: 'Kommunedirektøren', kind: 'administration' },
];

/** A seat on a committee, as appointed at the start of its period. */
export interface SeatShape {
  role: MemberData['role'];
  actorGroup: MemberData['actorGroup'];
  representationBasis: MemberData['representationBasis'];
  represents?: string;
}

/** Who leaves a committee during the trial, and who (if anyone) takes the seat. */
export interface TurnoverShape {
  seat: number;
  leftOn: string;
  reason: string;
  /** A deputy's seat index: the deputy leaves and is appointed again as a full member the same day. */
  promotedDeputy?: number;
  /** A new person takes the promoted deputy's place. */
  newDeputy?: SeatShape;
}

export interface CommitteeShape {
  key: string;
  name: string;
  kind: CommitteeData['kind'];
  arenaKey?: string;
  /** Where its public meetings are held when it has no arena of its own. */
  publicMeetingArenaKey: string;
  areas: string[];
  theme?: string;
  mandate: CommitteeData['mandate'];
  coCreationForm: CommitteeData['coCreationForm'];
  period: CommitteeData['period'];
  caseNumber: string;
  /** Yearly budget (NOK) for committees that may decide and grant. */
  budgetNok?: number;
  dissolution?: { on: string; reason: string };
  seats: SeatShape[];
  turnover: TurnoverShape[];
  themes: string[];
  places: string[];
  /** How often, relative to the others, residents bring proposals to it. */
  weight: number;
}

const localSeats = (area: string): SeatShape[] => [
  { role: 'leader', actorGroup: 'resident', representationBasis: 'geographic_area', represents: area },
  {
    role: 'deputy_leader',
    actorGroup: 'voluntary_org',
    representationBasis: 'interest',
    represents: `${area} vel`,
  },
  { role: 'member', actorGroup: 'politician', representationBasis: 'viewpoint', represents: 'Kommunestyret' },
  {
    role: 'member',
    actorGroup: 'private_actor',
    representationBasis: 'interest',
    represents: `Næringsforeningen i ${area}`,
  },
  { role: 'member', actorGroup: 'resident', representationBasis: 'open' },
  { role: 'member', actorGroup: 'resident', representationBasis: 'geographic_area', represents: area },
  {
    role: 'member',
    actorGroup: 'voluntary_org',
    representationBasis: 'interest',
    represents: 'Idrettslaget',
  },
  {
    role: 'youth_representative',
    actorGroup: 'resident',
    representationBasis: 'population_group',
    represents: 'Ungdomsrådet',
  },
  { role: 'deputy', actorGroup: 'resident', representationBasis: 'geographic_area', represents: area },
  { role: 'deputy', actorGroup: 'politician', representationBasis: 'viewpoint', represents: 'Kommunestyret' },
];

const localMandate = { influence: true, decide: false, facilitate: true, support: true, arrange: true };
const localThemes = [
  'Møteplasser',
  'Trafikksikkerhet',
  'Natur og friluftsliv',
  'Kultur og frivillighet',
  'Barn og unge',
  'Eldre',
  'Stedsutvikling',
];
const endOfTrial = {
  on: TRIAL_END,
  reason: 'Prøveordningen med lokalsamfunnsutvalg er avsluttet; områdeforum tar over fra 2024.',
};

export const committees: readonly CommitteeShape[] = [
  {
    key: 'heggedal',
    name: 'Lokalsamfunnsutvalget for Heggedal',
    kind: 'local_community',
    arenaKey: 'heggedal',
    publicMeetingArenaKey: 'heggedal',
    areas: ['Heggedal'],
    mandate: { ...localMandate, decide: true },
    coCreationForm: 'equal',
    period: { from: '2020-06-15', to: '2022-12-31' },
    caseNumber: '20/04711',
    budgetNok: 150_000,
    dissolution: endOfTrial,
    seats: localSeats('Heggedal'),
    turnover: [
      {
        seat: 4,
        leftOn: '2021-06-30',
        reason: 'Flyttet fra området',
        promotedDeputy: 8,
        newDeputy: { role: 'deputy', actorGroup: 'resident', representationBasis: 'open' },
      },
    ],
    themes: localThemes,
    places: ['Heggedal torg', 'Heggedal skole', 'Gjellumvannet', 'Hagaløkka', 'Heggedal stasjon'],
    weight: 3,
  },
  {
    key: 'slemmestad',
    name: 'Lokalsamfunnsutvalget for Slemmestad og Vollen',
    kind: 'local_community',
    arenaKey: 'slemmestad',
    publicMeetingArenaKey: 'slemmestad',
    areas: ['Slemmestad', 'Vollen'],
    mandate: localMandate,
    coCreationForm: 'facilitating',
    period: { from: '2020-06-15', to: '2022-12-31' },
    caseNumber: '20/04712',
    dissolution: endOfTrial,
    seats: localSeats('Slemmestad'),
    turnover: [{ seat: 5, leftOn: '2022-02-01', reason: 'Trakk seg av personlige grunner' }],
    themes: localThemes,
    places: [
      'Slemmestad brygge',
      'Vollen marina',
      'Slemmestad ungdomsskole',
      'Bryggeparken',
      'Vollen sentrum',
    ],
    weight: 3,
  },
  {
    key: 'tofte',
    name: 'Lokalsamfunnsutvalget for Tofte, Filtvet, Holmsbu og Kana',
    kind: 'local_community',
    arenaKey: 'tofte',
    publicMeetingArenaKey: 'tofte',
    areas: ['Tofte', 'Filtvet', 'Holmsbu', 'Kana'],
    mandate: { ...localMandate, decide: true },
    coCreationForm: 'responsibilizing',
    period: { from: '2020-06-15', to: '2022-12-31' },
    caseNumber: '20/04713',
    budgetNok: 120_000,
    seats: localSeats('Tofte'),
    turnover: [
      {
        seat: 6,
        leftOn: '2021-09-15',
        reason: 'Nytt verv i idrettslaget',
        promotedDeputy: 8,
        newDeputy: { role: 'deputy', actorGroup: 'resident', representationBasis: 'geographic_area' },
      },
    ],
    themes: localThemes,
    places: ['Tofte havn', 'Filtvet fyr', 'Holmsbu brygge', 'Kana', 'Tofte skole'],
    weight: 3,
  },
  {
    key: 'climate',
    name: 'Oppgaveutvalg for klima og miljø',
    kind: 'task',
    publicMeetingArenaKey: 'sentrum',
    areas: ['Hele kommunen'],
    theme: 'Klima og miljø',
    mandate: { influence: true, decide: false, facilitate: true, support: false, arrange: true },
    coCreationForm: 'steered',
    period: { from: '2020-09-01', to: '2022-06-30' },
    caseNumber: '20/05120',
    dissolution: { on: '2022-06-30', reason: 'Mandatet er fullført: innspillene til temaplanen er levert.' },
    seats: [
      {
        role: 'leader',
        actorGroup: 'politician',
        representationBasis: 'viewpoint',
        represents: 'Kommunestyret',
      },
      { role: 'deputy_leader', actorGroup: 'resident', representationBasis: 'open' },
      {
        role: 'member',
        actorGroup: 'voluntary_org',
        representationBasis: 'interest',
        represents: 'Naturvernforbundet lokallag',
      },
      {
        role: 'member',
        actorGroup: 'private_actor',
        representationBasis: 'interest',
        represents: 'Næringslivet',
      },
      { role: 'member', actorGroup: 'municipality', representationBasis: 'interest', represents: 'Kommunen' },
      { role: 'member', actorGroup: 'resident', representationBasis: 'viewpoint' },
      {
        role: 'youth_representative',
        actorGroup: 'resident',
        representationBasis: 'population_group',
        represents: 'Ungdomsrådet',
      },
      { role: 'deputy', actorGroup: 'resident', representationBasis: 'open' },
    ],
    turnover: [],
    themes: ['Klima og miljø'],
    places: ['Asker sentrum', 'Holmen', 'Vollen', 'Heggedal', 'Slemmestad'],
    weight: 1.5,
  },
  {
    key: 'youth',
    name: 'Oppgaveutvalg for barn og unge',
    kind: 'task',
    publicMeetingArenaKey: 'sentrum',
    areas: ['Hele kommunen'],
    theme: 'Barn og unge',
    mandate: { influence: true, decide: false, facilitate: true, support: true, arrange: true },
    coCreationForm: 'equal',
    period: { from: '2021-01-15', to: '2022-12-31' },
    caseNumber: '20/08830',
    seats: [
      {
        role: 'leader',
        actorGroup: 'resident',
        representationBasis: 'population_group',
        represents: 'Ungdomsrådet',
      },
      {
        role: 'deputy_leader',
        actorGroup: 'voluntary_org',
        representationBasis: 'interest',
        represents: 'Speiderne',
      },
      {
        role: 'youth_representative',
        actorGroup: 'resident',
        representationBasis: 'population_group',
        represents: 'Elevrådet',
      },
      {
        role: 'youth_representative',
        actorGroup: 'resident',
        representationBasis: 'population_group',
        represents: 'Ungdomsklubbene',
      },
      { role: 'member', actorGroup: 'municipality', representationBasis: 'interest', represents: 'Kommunen' },
      {
        role: 'member',
        actorGroup: 'politician',
        representationBasis: 'viewpoint',
        represents: 'Kommunestyret',
      },
      { role: 'member', actorGroup: 'resident', representationBasis: 'open' },
      { role: 'deputy', actorGroup: 'resident', representationBasis: 'population_group' },
    ],
    turnover: [],
    themes: ['Barn og unge'],
    places: ['Asker sentrum', 'Heggedal', 'Slemmestad', 'Tofte', 'Vollen'],
    weight: 1.5,
  },
];

export interface ProcessShape {
  title: string;
  committeeKeys: string[];
  coCreationForm: CommitteeData['coCreationForm'];
  /** The first phase starts with the process. */
  phases: ReadonlyArray<{ phase: EventData<'ProcessPhaseStarted'>['phase']; startedOn: string }>;
  completion?: { on: string; summary: string };
}

export const processes: readonly ProcessShape[] = [
  {
    title: 'Stedsutvikling i Heggedal sentrum',
    committeeKeys: ['heggedal'],
    coCreationForm: 'equal',
    phases: [
      { phase: 'knowledge_base', startedOn: '2020-09-15' },
      { phase: 'co_creation', startedOn: '2021-01-18' },
      { phase: 'political_processing', startedOn: '2021-09-06' },
      { phase: 'implementation', startedOn: '2022-03-01' },
    ],
    completion: {
      on: '2022-11-30',
      summary: 'Veikart og tiltak for Heggedal sentrum er vedtatt og satt i gang.',
    },
  },
  {
    title: 'Møteplasser i Slemmestad og Vollen',
    committeeKeys: ['slemmestad'],
    coCreationForm: 'facilitating',
    phases: [
      { phase: 'knowledge_base', startedOn: '2020-10-01' },
      { phase: 'co_creation', startedOn: '2021-03-01' },
      { phase: 'political_processing', startedOn: '2022-01-10' },
    ],
  },
  {
    title: 'Kystsonen Tofte–Holmsbu: bruk og vern',
    committeeKeys: ['tofte'],
    coCreationForm: 'responsibilizing',
    phases: [
      { phase: 'knowledge_base', startedOn: '2020-10-15' },
      { phase: 'co_creation', startedOn: '2021-04-12' },
    ],
  },
  {
    title: 'Temaplan klima og miljø: innbyggernes innspill',
    committeeKeys: ['climate'],
    coCreationForm: 'steered',
    phases: [
      { phase: 'knowledge_base', startedOn: '2020-09-21' },
      { phase: 'co_creation', startedOn: '2021-02-01' },
      { phase: 'political_processing', startedOn: '2022-01-17' },
    ],
    completion: {
      on: '2022-06-15',
      summary: 'Innspillene er levert som grunnlag for temaplanen for klima og miljø.',
    },
  },
  {
    title: 'Ungdommens stemme i skolene',
    committeeKeys: ['youth'],
    coCreationForm: 'equal',
    phases: [
      { phase: 'knowledge_base', startedOn: '2021-03-01' },
      { phase: 'co_creation', startedOn: '2021-09-01' },
    ],
  },
  {
    title: 'Kommuneplanens samfunnsdel: lokal medvirkning',
    committeeKeys: ['heggedal', 'slemmestad', 'tofte'],
    coCreationForm: 'steered',
    phases: [
      { phase: 'knowledge_base', startedOn: '2021-02-01' },
      { phase: 'co_creation', startedOn: '2021-08-16' },
    ],
  },
];

/** Proposal titles per theme; `{place}` is one of the committee's places. */
export const titleTemplates: Readonly<Record<string, readonly string[]>> = {
  Møteplasser: ['Åpen møteplass på {place}', 'Sommerkafé ved {place}', 'Felles grillplass ved {place}'],
  Trafikksikkerhet: ['Trygg skolevei ved {place}', 'Fartsdumper nær {place}', 'Bedre belysning ved {place}'],
  'Natur og friluftsliv': [
    'Benker langs turstien ved {place}',
    'Rydding av strandsonen ved {place}',
    'Gapahuk ved {place}',
  ],
  'Kultur og frivillighet': [
    'Bygdedag ved {place}',
    'Kulturkveld på {place}',
    'Frivillighetsbørs på {place}',
  ],
  'Barn og unge': ['Aktivitetspark ved {place}', 'Ungdomsklubb nær {place}', 'Leksehjelp på {place}'],
  Eldre: ['Seniortreff på {place}', 'Følgetjeneste for eldre rundt {place}', 'Flere benker ved {place}'],
  Stedsutvikling: [
    'Oppgradering av {place}',
    'Blomster og beplantning ved {place}',
    'Informasjonstavle ved {place}',
  ],
  'Klima og miljø': [
    'Ladepunkter ved {place}',
    'Bytteordning for sportsutstyr på {place}',
    'Plastfri strand ved {place}',
  ],
};

export const initiativeTitles: readonly string[] = [
  'Innbyggerforslag: bevar grøntområdet ved {place}',
  'Innbyggerforslag: trygg skolevei til {place}',
  'Innbyggerforslag: badeplass ved {place}',
  'Innbyggerforslag: nei til nedleggelse av tilbudet på {place}',
];
