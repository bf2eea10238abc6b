/** The dashboard's entry: renders the page, follows same-page links without reloads, and follows the ledger live. */
import { render } from 'preact';
import { App } from './app';
import { followLedger } from './live';
import { followLinks, lang } from './state';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  document.documentElement.lang = lang.value;
  followLinks(document.body);
  render(<App />, root);
  followLedger();
}
