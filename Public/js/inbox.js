// Member inbox: the messages written for this member (GET /api/v1/me/notifications), newest
// first; opening one marks it read, and "mark all read" clears the header badge.
import { api, el, enableScriptControls, problemText, refreshInboxBadge } from './mall.js';

const list = document.getElementById('inbox-list');
const words = list.dataset;
const unreadOnly = document.getElementById('inbox-unread-only');
let page = 0;
let more = null;

function link(notification) {
  if (notification.referenceType === 'order' && notification.referenceId) return `/orders/${encodeURIComponent(notification.referenceId)}`;
  return null;
}

function item(notification) {
  const node = el('li', { class: notification.read ? 'inbox-item' : 'inbox-item unread', 'data-id': notification.id },
    el('p', { class: 'inbox-title' }, notification.read ? null : el('span', { class: 'badge' }, words.unread), ' ', notification.title),
    el('p', {}, notification.body),
    el('p', { class: 'muted' }, new Date(notification.createdAt).toLocaleString(document.documentElement.lang)));
  const target = link(notification);
  if (target) node.append(el('p', {}, el('a', { href: target }, words.openOrder)));
  if (!notification.read) {
    node.addEventListener('click', async () => {
      if (!node.classList.contains('unread')) return;
      try {
        await api('POST', `/me/notifications/${encodeURIComponent(notification.id)}/read`);
        node.classList.remove('unread');
        node.querySelector('.badge')?.remove();
        refreshInboxBadge();
      } catch { /* it stays unread */ }
    });
  }
  return node;
}

async function load(restart = false) {
  if (restart) { page = 0; list.replaceChildren(); }
  if (!list.children.length) list.replaceChildren(el('li', { class: 'muted' }, words.loading));
  list.setAttribute('aria-busy', 'true');
  try {
    const inbox = await api('GET', `/me/notifications?page=${page + 1}&per=20${unreadOnly.checked ? '&unread=true' : ''}`);
    if (page === 0) list.replaceChildren();
    page += 1;
    more?.remove();
    list.append(...inbox.notifications.items.map(item));
    if (!list.children.length) list.append(el('li', { class: 'muted' }, words.empty));
    if (page * inbox.notifications.per < inbox.notifications.total) {
      more = el('li', {}, el('button', { class: 'btn', type: 'button', onclick: () => load() }, words.more));
      list.append(more);
    }
  } catch (problem) {
    list.replaceChildren(el('li', { class: 'form-errors', role: 'alert' }, problemText(problem, words.failed)));
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

document.getElementById('inbox-read-all').addEventListener('click', async (event) => {
  event.target.disabled = true;
  try {
    await api('POST', '/me/notifications/read-all');
    await load(true);
    refreshInboxBadge();
  } finally {
    event.target.disabled = false;
  }
});
unreadOnly.addEventListener('change', () => load(true));

enableScriptControls();
load();
