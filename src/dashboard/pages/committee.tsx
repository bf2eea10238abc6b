import { useWords } from '../i18n';

export function CommitteePage({ id }: { id: string }) {
  const w = useWords();
  return (
    <h1 tabIndex={-1} data-id={id}>
      {w.t('committees.heading')}
    </h1>
  );
}
