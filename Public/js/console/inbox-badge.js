import { get } from './api.js';
import { can } from './context.js';
import { t } from './i18n.js';

// The header's unread count. Every console page is a fresh load, so reading on start is the
// refresh on navigation; the poll catches alerts that arrive while a desk stays open all day.
const pollMs = 60_000;

async function refresh(link, count) {
  try {
    const { unreadCount } = await get('/admin/notifications/unread-count');
    count.hidden = unreadCount === 0;
    count.textContent = unreadCount > 99 ? '99+' : String(unreadCount);
    link.setAttribute('aria-label', unreadCount ? t('inbox.linkUnread', { count: unreadCount }) : t('inbox.title'));
  } catch {
    // A missed poll leaves the badge hidden until the next one; the inbox page shows the truth.
    count.hidden = true;
  }
}

/** Keeps the header's inbox badge current; `console:inbox-changed` asks for a fresh count at once. */
export function watchInbox() {
  const link = document.getElementById('console-inbox');
  const count = document.getElementById('console-inbox-count');
  // The inbox needs store.view; without it there is nothing to count (and a 403 to avoid).
  if (!link || !count || !can('store.view')) return;
  const update = () => refresh(link, count);
  update();
  setInterval(update, pollMs);
  document.addEventListener('console:inbox-changed', update);
}
