import { post } from '../api.js';
import { add, h, pageHeader, button, busy, announce, badge, link } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime } from '../i18n.js';
import { storeCell } from '../widgets.js';

/** Where a notification's subject is handled in the console, by its reference type. */
const subjectPages = {
  low_stock_alert: (n) => `/console/inventory/alerts${n.storeId ? `?storeId=${n.storeId}` : ''}`,
};

// The staff inbox (low-stock alerts and other notices for the team). A read mark is shared by
// the audience, like a team mailbox, so the header badge counts what nobody has looked at yet.
export async function render(root) {
  const changed = () => document.dispatchEvent(new CustomEvent('console:inbox-changed'));

  const markRead = async (event, item) => {
    await busy(event.currentTarget, () => post(`/admin/notifications/${item.id}/read`));
    changed();
    table.reload();
  };

  const readAll = button(t('inbox.readAll'), async (event) => {
    await busy(event.currentTarget, () => post('/admin/notifications/read-all'));
    announce(t('inbox.allRead'));
    changed();
    table.reload();
  });

  const table = createTable({
    caption: t('inbox.title'),
    endpoint: '/admin/notifications',
    syncUrl: true,
    filters: [{ name: 'unread', label: t('inbox.unreadOnly'), type: 'checkbox' }],
    rowClass: (n) => (n.readAt ? null : 'row-highlight'),
    emptyText: t('inbox.empty'),
    columns: [
      { key: 'title', label: t('inbox.subject'), render: (n) => h('div', {}, h('strong', { text: n.title }), h('p', { class: 'muted', text: n.body }),
        subjectPages[n.referenceType] ? link(subjectPages[n.referenceType](n), t('inbox.open')) : null) },
      { key: 'store', label: t('field.store'), render: (n) => storeCell(n.storeId) },
      { key: 'createdAt', label: t('inbox.received'), nowrap: true, render: (n) => dateTime(n.createdAt) },
      { key: 'state', label: t('field.status'), render: (n) => badge('inboxState', n.readAt ? 'read' : 'unread') },
      { key: 'actions', label: t('table.actions'), action: true, render: (n) => (n.readAt ? null
        : button(t('inbox.markRead'), (event) => markRead(event, n), { 'aria-label': t('inbox.markReadNamed', { title: n.title }) })) },
    ],
  });
  add(root, pageHeader(t('inbox.title'), readAll), table.element);
  table.reload();
}
