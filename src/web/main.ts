/** The web workspace: sign in with a token, then clusters → cluster → case, all on hash routes. */
import './style.css';
import { ApiClient, ApiError } from './api-client.js';
import type { AppContext, Cleanup, View } from './app-context.js';
import { errorBox, h, replace } from './dom.js';
import { clearToken, readToken, saveToken } from './session.js';
import { renderCaseList } from './views/case-list.js';
import { renderCasePage } from './views/case-page.js';
import { renderClusterList } from './views/cluster-list.js';
import { renderClusterPage } from './views/cluster-page.js';

interface Route { pattern: RegExp; view: View; names: string[] }

const ROUTES: Route[] = [
  { pattern: /^#\/clusters\/([^/?]+)$/, view: renderClusterPage, names: ['id'] },
  { pattern: /^#\/cases\/([^/?]+)$/, view: renderCasePage, names: ['id'] },
  { pattern: /^#\/cases(?:\?.*)?$/, view: renderCaseList, names: [] },
  { pattern: /^(?:#\/?|#\/clusters(?:\?.*)?|)$/, view: renderClusterList, names: [] },
];

const app = document.getElementById('app') ?? document.body;
let cleanup: Cleanup | undefined;
let context: AppContext | undefined;
/** Bumped on every route: a view that finishes loading after the user moved on is cleaned up at once. */
let generation = 0;

function runCleanup(): void {
  cleanup?.();
  cleanup = undefined;
}

function signOut(): void {
  runCleanup();
  clearToken();
  context = undefined;
  history.replaceState(null, '', location.pathname);
  void route();
}

function signInView(message?: unknown): HTMLElement {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', placeholder: 'API token', 'data-testid': 'token', required: true });
  const status = h('div', { class: 'status' }, message === undefined ? null : errorBox(message));
  const form = h('form', { class: 'sign-in', 'data-testid': 'sign-in' },
    h('h1', {}, 'lockstep'),
    h('p', {}, 'Sign in with an API token (`lockstep users add NAME --role R` prints one).'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    const api = new ApiClient(token);
    api.me().then((me) => {
      saveToken(token);
      context = makeContext(api, me);
      void route();
    }, (error: unknown) => replace(status, errorBox(error instanceof ApiError && error.status === 401 ? new Error('That token is not known to this server.') : error)));
  });
  return form;
}

function makeContext(api: ApiClient, me: AppContext['me']): AppContext {
  return { api, me, navigate: (hash) => { location.hash = hash; } };
}

function header(current: AppContext): HTMLElement {
  return h('header', { class: 'top' },
    h('a', { href: '#/clusters', class: 'brand' }, 'lockstep'),
    h('nav', {}, h('a', { href: '#/clusters' }, 'Clusters'), h('a', { href: '#/cases' }, 'Cases')),
    h('span', { class: 'who', 'data-testid': 'who' }, `${current.me.name} (${current.me.role})`),
    h('button', { type: 'button', 'data-testid': 'sign-out', onclick: signOut }, 'Sign out'));
}

async function route(): Promise<void> {
  runCleanup();
  generation += 1;
  const mine = generation;
  if (context === undefined) {
    const token = readToken();
    if (token === null) {
      replace(app, signInView());
      return;
    }
    const api = new ApiClient(token);
    try {
      context = makeContext(api, await api.me());
    } catch (error) {
      clearToken();
      replace(app, signInView(error));
      return;
    }
  }
  const hash = location.hash;
  const match = ROUTES.map((candidate) => ({ candidate, found: candidate.pattern.exec(hash) })).find((entry) => entry.found !== null);
  const main = h('main', {});
  replace(app, header(context), main);
  if (match === undefined || match.found === null) {
    replace(main, h('p', {}, `Nothing lives at ${hash}. `, h('a', { href: '#/clusters' }, 'Go to the clusters.')));
    return;
  }
  const params: Record<string, string> = {};
  match.candidate.names.forEach((name, index) => { params[name] = decodeURIComponent(match.found?.[index + 1] ?? ''); });
  try {
    const result = await match.candidate.view(main, context, params);
    if (result && mine !== generation) result();
    else if (result) cleanup = result;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      return;
    }
    replace(main, errorBox(error));
  }
}

window.addEventListener('hashchange', () => { void route(); });
void route();
