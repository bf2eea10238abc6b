import { useWords } from '../i18n';

export function CommitteesPage() {
  const w = useWords();
  return <h1 tabIndex={-1}>{w.t('committees.heading')}</h1>;
}
