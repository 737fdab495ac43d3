import { context, can } from '../context.js';
import { get } from '../api.js';
import { add, h, pageHeader, errorNotice, link, badge } from '../dom.js';
import { t, money, number, label } from '../i18n.js';
import { storeCell } from '../widgets.js';

// Statuses the desk has to act on, in the order work flows through a store.
const actionable = ['paid', 'awaiting_reallocation', 'accepted', 'picking', 'ready_for_pickup', 'shipped'];

function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

function tile(title, value, hint) {
  return h('div', { class: 'card tile' }, h('h2', { class: 'tile-title', text: title }), h('p', { class: 'tile-value', text: value }), hint ? h('p', { class: 'tile-hint', text: hint }) : null);
}

async function todayTiles() {
  const totals = await get('/admin/orders/totals', { from: startOfToday().toISOString(), to: new Date().toISOString() });
  // byDay counts only paid orders, which is what "sales" means to a store.
  const paidOrders = totals.byDay.reduce((sum, r) => sum + r.orders, 0);
  const paidFen = totals.byDay.reduce((sum, r) => sum + r.payableFen, 0);
  const placed = totals.byStatus.reduce((sum, r) => sum + r.orders, 0);
  return h('div', { class: 'tiles' },
    tile(t('dashboard.todayOrders'), number(paidOrders), t('dashboard.placedToday', { count: number(placed) })),
    tile(t('dashboard.todaySales'), money(paidFen), t('dashboard.paidOnly')),
    totals.byStore.length > 1 ? tile(t('dashboard.busiestStore'), totals.byStore[0].label, money(totals.byStore[0].payableFen)) : null);
}

async function queue() {
  const list = await get('/admin/orders', { per: 1 });
  const counts = list.countsByStatus || {};
  return h('section', { class: 'card' },
    h('h2', { text: t('dashboard.queue') }),
    h('ul', { class: 'status-counts' }, actionable.map((status) => h('li', {},
      link(`/console/orders?status=${status}`, [badge('orderStatus', status), h('span', { class: 'status-count', text: number(counts[status] || 0) })],
        { 'aria-label': `${label('orderStatus', status)}: ${counts[status] || 0}` })))));
}

async function lowStock() {
  const [levels, alerts] = await Promise.all([
    get('/admin/inventory/levels', { low: true, per: 8 }),
    get('/admin/inventory/alerts', { status: 'open', per: 1 }),
  ]);
  const captionText = t('dashboard.lowStock');
  return h('section', { class: 'card' },
    h('h2', { text: captionText }),
    h('p', {}, t('dashboard.openAlerts', { count: number(alerts.total) }), ' ', link('/console/inventory/alerts', t('dashboard.allAlerts'))),
    levels.items.length === 0 ? h('p', { class: 'muted', text: t('dashboard.noLowStock') }) : h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': captionText },
      h('table', { class: 'data compact' },
        h('caption', { class: 'visually-hidden', text: captionText }),
        h('thead', {}, h('tr', {}, [t('field.product'), t('field.store'), t('field.available'), t('field.threshold')].map((x, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : null, text: x })))),
        h('tbody', {}, levels.items.map((l) => h('tr', {},
          h('th', { scope: 'row' }, `${l.productTitle}${l.specTitle ? ` · ${l.specTitle}` : ''}`),
          h('td', { text: storeCell(l.storeId) }),
          h('td', { class: 'num', text: number(l.available) }),
          h('td', { class: 'num', text: number(l.lowStockThreshold) })))))),
    levels.total > levels.items.length ? link('/console/inventory?low=true', t('dashboard.moreLow', { count: number(levels.total) })) : null);
}

/** Each panel loads on its own, so a permission the staff lacks blanks one panel, not the page. */
async function panel(work) {
  try {
    return await work();
  } catch (error) {
    return h('div', { class: 'card' }, errorNotice(error));
  }
}

export async function render(root) {
  const name = context.staff.displayName || context.staff.username;
  add(root, pageHeader(t('dashboard.title')), h('p', { class: 'lead', text: t('dashboard.welcome', { name }) }));
  const panels = [];
  if (can('order.view')) panels.push(panel(todayTiles), panel(queue));
  if (can('inventory.view')) panels.push(panel(lowStock));
  if (!panels.length) {
    add(root, h('p', { class: 'muted', text: t('dashboard.nothing') }));
    return;
  }
  add(root, h('div', { class: 'dashboard-grid' }, await Promise.all(panels)));
}
