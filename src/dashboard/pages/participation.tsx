import { useWords } from '../i18n';

export function ParticipationPage() {
  const w = useWords();
  return <h1 tabIndex={-1}>{w.t('participation.heading')}</h1>;
}
