import { useWords } from '../i18n';

export function ProposalsPage() {
  const w = useWords();
  return <h1 tabIndex={-1}>{w.t('proposals.heading')}</h1>;
}
