import { add, h, pageHeader } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime } from '../i18n.js';

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
  const table = createTable({
    caption: t('audit.caption'),
    endpoint: '/admin/audit-logs',
    sortFields: ['createdAt', 'actorName', 'action', 'targetType', 'scope'],
    syncUrl: true,
    filters: [
      { name: 'actor', label: t('audit.actor') },
      { name: 'action', label: t('audit.action'), placeholder: 'store.update' },
      { name: 'targetType', label: t('audit.targetType'), placeholder: 'store' },
      { name: 'targetId', label: t('audit.targetId') },
      { name: 'from', label: t('field.from'), type: 'datetime' },
      { name: 'to', label: t('field.to'), type: 'datetime' },
    ],
    columns: [
      { key: 'createdAt', label: t('field.time'), render: (e) => dateTime(e.createdAt) },
      { key: 'actorName', label: t('audit.actor') },
      { key: 'action', label: t('audit.action'), render: (e) => h('span', { class: 'mono', text: e.action }) },
      { key: 'targetType', label: t('audit.target'), render: (e) => [e.targetType, ' ', h('span', { class: 'mono muted', text: String(e.targetId).slice(0, 8) })] },
      { key: 'scope', label: t('audit.scope') },
      { key: 'changes', label: t('audit.changes'), render: changes },
      { key: 'requestId', label: t('audit.requestId'), render: (e) => h('span', { class: 'mono muted', text: e.requestId }) },
    ],
  });
  add(root, pageHeader(t('audit.title')), table.element);
  table.reload();
}
