import { useWords } from '../i18n';

export function ProposalPage({ id }: { id: string }) {
  const w = useWords();
  return (
    <h1 tabIndex={-1} data-id={id}>
      {w.t('proposal.status')}
    </h1>
  );
}
