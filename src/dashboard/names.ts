/**
 * Names for the ids the views give (committees, political bodies), read from the lookups at the reader's ledger
 * point, so a page can say "Heggedal" rather than a UUID. An id not (yet) known shows as itself.
 */
import { useView, type Category } from './api';

interface CommitteeListAnswer {
  position: number;
  items: Array<{ committeeId: string; name: string }>;
}

export interface Names {
  committee(id: string | null | undefined): string;
  body(id: string | null | undefined): string;
  committees: Array<{ id: string; name: string }>;
}

export function useNames(): Names {
  const committees = useView<CommitteeListAnswer>('/committees', {}, ['committee']);
  const bodyNames = useLookup('/political-bodies', 'bodyId', 'political-body');
  const committeeNames = new Map((committees.data?.items ?? []).map((c) => [c.committeeId, c.name]));
  return {
    committee: (id) => (id ? (committeeNames.get(id) ?? id) : '–'),
    body: (id) => (id ? (bodyNames.get(id) ?? id) : '–'),
    committees: [...committeeNames].map(([id, name]) => ({ id, name })),
  };
}

/**
 * Names by id from a lookup list (`/arenas`, `/political-bodies`), read at the reader's ledger point. Empty while
 * it loads or when the service does not answer: a page then shows the id, which still resolves.
 */
export function useLookup(
  path: '/arenas' | '/political-bodies',
  idField: 'arenaId' | 'bodyId',
  category: Category,
): Map<string, string> {
  // The lookups answer a page at a time (100 unless asked): the largest page, 500, holds every arena and every
  // political body of a realistic ledger (a municipality has tens), so one read names them all. An id beyond it
  // still shows as itself.
  const answer = useView<{ position: number; items: Array<Record<string, unknown>> }>(path, { limit: 500 }, [
    category,
  ]);
  const names = new Map<string, string>();
  for (const item of answer.data?.items ?? []) {
    const id = item[idField];
    if (typeof id === 'string' && typeof item.name === 'string') names.set(id, item.name);
  }
  return names;
}
