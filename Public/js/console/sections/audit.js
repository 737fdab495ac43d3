import { add, h, pageHeader, isUuid, shortId, link } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, label, has, labelledOptions } from '../i18n.js';
import { loadMerchants, scopeLabel, storeCell } from '../widgets.js';

// Console pages that show a record of each target type, for a link from its audit rows.
const targetPages = {
  order: (id) => `/console/orders/${id}`,
  after_sales: (id) => `/console/aftersales/${id}`,
  product: (id) => `/console/catalog/${id}`,
  store: (id) => `/console/stores/${id}`,
  staff: (id) => `/console/staff/${id}`,
  transfer: (id) => `/console/inventory/transfers?id=${id}`,
  stocktake: (id) => `/console/inventory/stocktakes?id=${id}`,
};

/**
 * The target as people read it: its kind, then its name (an order number, a product title…)
 * or, for one gone since, its id shortened to the first block, linked to its page with the full
 * id in the title; a store by name, or a key such as a setting in full.
 */
function target(entry) {
  const kind = label('auditTarget', entry.targetType);
  const id = String(entry.targetId ?? '');
  if (!id) return kind;
  if (entry.targetType === 'store_stock') return [kind, ' ', storeCell(id)];
  if (entry.targetType === 'settings') {
    const key = `setting.${id}.label`;
    return [kind, ' ', has(key) ? `${t(key)} ` : '', h('span', { class: 'mono muted', text: id })];
  }
  const page = isUuid(id) && targetPages[entry.targetType];
  const text = entry.targetLabel || shortId(id);
  const style = entry.targetLabel ? null : 'mono';
  return [kind, ' ', page
    ? link(page(id), text, { class: style, title: id, 'aria-label': `${kind} ${text}` })
    : h('span', { class: entry.targetLabel ? null : 'mono muted', title: isUuid(id) ? id : null, text })];
}

/** Before/after snapshots are JSON text; pretty-print when they parse, else show as stored. */
function snapshot(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function changes(entry) {
  if (!entry.before && !entry.after) return '';
  return h('details', {}, h('summary', { text: t('audit.changes') }),
    entry.before ? [h('h3', { text: t('audit.before') }), h('pre', { text: snapshot(entry.before) })] : null,
    entry.after ? [h('h3', { text: t('audit.after') }), h('pre', { text: snapshot(entry.after) })] : null);
}

export async function render(root) {
  const merchants = await loadMerchants();
  const table = createTable({
    caption: t('audit.caption'),
    endpoint: '/admin/audit-logs',
    sortFields: ['createdAt', 'actorName', 'action', 'targetType', 'scope'],
    syncUrl: true,
    filters: [
      { name: 'actor', label: t('audit.actor') },
      { name: 'action', label: t('audit.action'), type: 'select', options: [{ value: '', label: t('filter.all') }, ...labelledOptions('auditAction')] },
      { name: 'targetType', label: t('audit.targetType'), type: 'select', options: [{ value: '', label: t('filter.all') }, ...labelledOptions('auditTarget')] },
      { name: 'targetId', label: t('audit.targetId') },
      { name: 'from', label: t('field.from'), type: 'datetime' },
      { name: 'to', label: t('field.to'), type: 'datetime' },
    ],
    columns: [
      { key: 'createdAt', label: t('field.time'), render: (e) => dateTime(e.createdAt) },
      { key: 'actorName', label: t('audit.actor') },
      { key: 'action', label: t('audit.action'), render: (e) => h('span', { title: e.action, text: label('auditAction', e.action) }) },
      { key: 'targetType', label: t('audit.target'), render: target },
      { key: 'scope', label: t('audit.scope'), render: (e) => scopeLabel(e.scope, merchants) },
      { key: 'changes', label: t('audit.changes'), render: changes },
      { key: 'requestId', label: t('audit.requestId'), render: (e) => h('span', { class: 'mono muted', text: e.requestId }) },
    ],
  });
  add(root, pageHeader(t('audit.title')), table.element);
  table.reload();
}
