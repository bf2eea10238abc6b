/**
 * Names for the ids the views give (committees, political bodies), read from the lookups at the reader's ledger
 * point, so a page can say "Heggedal" rather than a UUID. An id not (yet) known shows as itself.
 */
import { useView } from './api';

interface CommitteeListAnswer {
  position: number;
  items: Array<{ committeeId: string; name: string }>;
}
interface BodyListAnswer {
  position: number;
  items: Array<{ bodyId: string; name: string; kind: string }>;
}

export interface Names {
  committee(id: string | null | undefined): string;
  body(id: string | null | undefined): string;
  committees: Array<{ id: string; name: string }>;
}

export function useNames(): Names {
  const committees = useView<CommitteeListAnswer>('/committees', {}, ['committee']);
  const bodies = useView<BodyListAnswer>('/political-bodies', {}, ['political-body']);
  const committeeNames = new Map((committees.data?.items ?? []).map((c) => [c.committeeId, c.name]));
  const bodyNames = new Map((bodies.data?.items ?? []).map((b) => [b.bodyId, b.name]));
  return {
    committee: (id) => (id ? (committeeNames.get(id) ?? id) : '–'),
    body: (id) => (id ? (bodyNames.get(id) ?? id) : '–'),
    committees: [...committeeNames].map(([id, name]) => ({ id, name })),
  };
}
