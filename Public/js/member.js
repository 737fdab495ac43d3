// Member centre: signing in for today (POST /api/v1/me/sign-ins) and the points history, page by
// page (GET /api/v1/me/points/ledger). The balance, calendar and expiries are rendered by the
// server; this script keeps them in step after a sign-in.
import { api, el, enableScriptControls, problemText, yuan } from './mall.js';

const button = document.getElementById('sign-in-button');
const status = document.getElementById('sign-in-status');
const balance = document.getElementById('points-balance');
const ledger = document.getElementById('points-ledger');
const words = ledger.dataset;

button.addEventListener('click', async () => {
  button.disabled = true;
  try {
    const result = await api('POST', '/me/sign-ins');
    balance.textContent = String(result.balance);
    const perYuan = Number(balance.parentElement.dataset.pointsPerYuan) || 100;
    document.getElementById('points-worth').textContent = yuan(Math.floor((result.balance * 100) / perYuan));
    if (!result.alreadySignedIn) {
      const earnedTotal = document.getElementById('points-earned');
      earnedTotal.textContent = String(Number(earnedTotal.textContent) + result.points);
    }
    const today = document.querySelector(`.sign-in-day[data-day="${result.status.dayOfCycle}"]`);
    today?.classList.add('done');
    const earned = result.alreadySignedIn ? '' : button.dataset.earned.replace('{n}', String(result.points));
    status.textContent = `${button.dataset.done}${earned} · ${button.dataset.streak} ${result.status.streak}`;
    button.textContent = button.dataset.done;
    if (!result.alreadySignedIn) loadLedger(true);
  } catch (problem) {
    status.textContent = problemText(problem, button.dataset.failed);
    button.disabled = false;
  }
});

function kindLabel(kind) {
  const key = `kind${kind.split('_').map((part) => part[0].toUpperCase() + part.slice(1)).join('')}`;
  return words[key] || kind;
}

function entryItem(entry) {
  const when = new Date(entry.createdAt).toLocaleString(document.documentElement.lang);
  const sign = entry.points > 0 ? '+' : '';
  return el('li', { class: 'ledger-entry' },
    el('span', { class: 'ledger-kind' }, kindLabel(entry.kind)),
    el('span', { class: entry.points > 0 ? 'ledger-points plus' : 'ledger-points minus' }, `${sign}${entry.points}`),
    el('span', { class: 'muted' }, when),
    entry.note ? el('span', { class: 'muted ledger-note' }, entry.note) : null,
    entry.expiresAt && entry.points > 0
      ? el('span', { class: 'muted' }, words.expires.replace('{date}', new Date(new Date(entry.expiresAt).getTime() - 1000).toLocaleDateString(document.documentElement.lang)))
      : null);
}

let page = 0;
let more = null;

async function loadLedger(restart = false) {
  if (restart) { page = 0; ledger.replaceChildren(); }
  if (!ledger.children.length) ledger.replaceChildren(el('li', { class: 'muted' }, words.loading));
  ledger.setAttribute('aria-busy', 'true');
  try {
    const result = await api('GET', `/me/points/ledger?page=${page + 1}&per=20`);
    if (page === 0) ledger.replaceChildren();
    page += 1;
    more?.remove();
    ledger.append(...result.items.map(entryItem));
    if (!ledger.children.length) ledger.append(el('li', { class: 'muted' }, words.empty));
    if (page * result.per < result.total) {
      more = el('li', {}, el('button', { class: 'btn', type: 'button', onclick: () => loadLedger() }, words.more));
      ledger.append(more);
    }
  } catch (problem) {
    ledger.replaceChildren(el('li', { class: 'form-errors', role: 'alert' }, problemText(problem, words.failed)));
  } finally {
    ledger.setAttribute('aria-busy', 'false');
  }
}

enableScriptControls();
loadLedger();
