/** The page: a header (title, language, token, ledger point, live state), the navigation and the current page. */
import { useEffect, useRef } from 'preact/hooks';
import { LedgerPointControl } from './components/ledgerPoint';
import { LiveStatus } from './components/liveStatus';
import { TokenPanel } from './components/tokenPanel';
import { useWords } from './i18n';
import type { MessageKey } from './messages';
import { CommitteePage } from './pages/committee';
import { CommitteesPage } from './pages/committees';
import { OverviewPage } from './pages/overview';
import { ParticipationPage } from './pages/participation';
import { ProposalPage } from './pages/proposal';
import { ProposalsPage } from './pages/proposals';
import { hrefTo, lang, pageTitle, place, useObservable, type Page } from './state';

const NAV: Array<{ path: string; key: MessageKey; pages: Array<Page['name']> }> = [
  { path: '/', key: 'nav.overview', pages: ['overview'] },
  { path: '/committees', key: 'nav.committees', pages: ['committees', 'committee'] },
  { path: '/participation', key: 'nav.participation', pages: ['participation'] },
  { path: '/proposals', key: 'nav.proposals', pages: ['proposals', 'proposal'] },
];

function CurrentPage({ page }: { page: Page }) {
  const w = useWords();
  switch (page.name) {
    case 'overview':
      return <OverviewPage />;
    case 'committees':
      return <CommitteesPage />;
    case 'committee':
      return <CommitteePage id={page.id} />;
    case 'participation':
      return <ParticipationPage />;
    case 'proposals':
      return <ProposalsPage />;
    case 'proposal':
      return <ProposalPage id={page.id} />;
    case 'notFound':
      return <p>{w.t('common.notFound')}</p>;
  }
}

export function App() {
  const w = useWords();
  const here = useObservable(place);
  const pageKey = NAV.find((n) => n.pages.includes(here.page.name))?.key;

  const firstPage = useRef(true);
  const named = useObservable(pageTitle);
  useEffect(() => {
    const what = named ?? (pageKey ? w.t(pageKey) : null);
    document.title = what ? `${what} · ${w.t('app.title')}` : w.t('app.title');
  }, [pageKey, named, w.lang]);
  useEffect(() => {
    // After navigation (not on arrival) the new page's heading takes focus, so keyboard and screen-reader users
    // land on it as they would after a page load.
    if (firstPage.current) firstPage.current = false;
    else document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [here.page.name, here.page.name === 'committee' || here.page.name === 'proposal' ? here.page.id : '']);

  return (
    <>
      <a class="skip" href="#main">
        {w.t('app.skip')}
      </a>
      <header class="site">
        <div class="brand">
          <p class="title">
            <a href={hrefTo('/')}>{w.t('app.title')}</a>
          </p>
          <p class="subtitle">{w.t('app.subtitle')}</p>
        </div>
        <div class="tools">
          <button
            type="button"
            lang={w.lang === 'nb' ? 'en' : 'nb'}
            aria-label={w.t('lang.switchLabel')}
            onClick={() => lang.set(w.lang === 'nb' ? 'en' : 'nb')}
          >
            {w.t('lang.switch')}
          </button>
          <TokenPanel />
        </div>
        <nav aria-label={w.t('nav.label')}>
          <ul>
            {NAV.map((item) => (
              <li key={item.path}>
                <a
                  href={hrefTo(item.path)}
                  aria-current={item.pages.includes(here.page.name) ? 'page' : undefined}
                >
                  {w.t(item.key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="point-bar">
          <LedgerPointControl />
          <LiveStatus />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <CurrentPage page={here.page} />
      </main>
    </>
  );
}
