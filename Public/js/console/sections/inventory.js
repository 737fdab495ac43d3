import { context, can } from '../context.js';
import { post, put } from '../api.js';
import { add, h, pageHeader, badge, subnav, button, announce, notice, shortId, stackOnPhone } from '../dom.js';
import { createTable } from '../table.js';
import { createForm } from '../form.js';
import { t, dateTime, number, label } from '../i18n.js';
import { storeFilter, storeOptions, storeCell, skuLabel, enumOptions, formDialog, stockLinesEditor } from '../widgets.js';

const movementKinds = ['receipt', 'outbound', 'reserve', 'commit', 'release', 'adjustment', 'stocktake', 'transfer_out', 'transfer_in', 'return', 'sync'];

const pages = {
  levels: renderLevels,
  receive: (root) => renderStockDocument(root, 'receive'),
  outbound: (root) => renderStockDocument(root, 'outbound'),
  stocktakes: (root, params) => import('./stocktakes.js').then((m) => m.render(root, params, tabs)),
  transfers: (root, params) => import('./transfers.js').then((m) => m.render(root, params, tabs)),
  movements: renderMovements,
  alerts: renderAlerts,
  csv: (root) => import('./csv-transfer.js').then((m) => m.renderStock(root, tabs)),
};

function tabs(current) {
  const manage = can('inventory.manage');
  const entries = [
    { key: 'levels', label: t('inventory.levels'), href: '/console/inventory' },
    manage && { key: 'receive', label: t('inventory.receive'), href: '/console/inventory/receive' },
    manage && { key: 'outbound', label: t('inventory.outbound'), href: '/console/inventory/outbound' },
    { key: 'stocktakes', label: t('inventory.stocktakes'), href: '/console/inventory/stocktakes' },
    { key: 'transfers', label: t('inventory.transfers'), href: '/console/inventory/transfers' },
    { key: 'movements', label: t('inventory.movements'), href: '/console/inventory/movements' },
    { key: 'alerts', label: t('inventory.alerts'), href: '/console/inventory/alerts' },
    { key: 'csv', label: t('csv.tab'), href: '/console/inventory/csv' },
  ].filter(Boolean);
  return subnav(t('inventory.title'), entries, current);
}

export async function render(root, { id, params }) {
  const page = pages[id || 'levels'];
  if (!page) {
    add(root, pageHeader(t('inventory.title')), tabs(''), notice(t('error.notFound'), 'error'));
    return undefined;
  }
  return page(root, params);
}

function renderLevels(root) {
  const manage = can('inventory.manage');
  let table;
  const adjust = async (level) => {
    const result = await formDialog(t('inventory.adjustTitle', { sku: level.skuCode }), {
      fields: [
        { name: 'delta', label: t('inventory.delta'), type: 'integer', required: true, help: t('inventory.deltaHelp', { onHand: level.onHand, reserved: level.reserved }) },
        { name: 'reason', label: t('field.reason'), required: true },
      ],
      submitLabel: t('inventory.adjust'),
      onSubmit: (v) => post('/admin/inventory/adjustments', { storeId: level.storeId, skuId: level.skuId, ...v }),
    });
    if (result) { announce(t('inventory.adjusted')); table.reload(); }
  };
  const threshold = async (level) => {
    const result = await formDialog(t('inventory.thresholdTitle', { sku: level.skuCode }), {
      fields: [{ name: 'lowStockThreshold', label: t('field.threshold'), type: 'integer', min: 0, nullable: true, value: level.thresholdIsDefault ? '' : level.lowStockThreshold, help: t('inventory.thresholdHelp') }],
      onSubmit: (v) => put(`/admin/inventory/levels/${level.storeId}/${level.skuId}/threshold`, { lowStockThreshold: v.lowStockThreshold ?? null }),
    });
    if (result) { announce(t('inventory.thresholdSaved')); table.reload(); }
  };
  table = createTable({
    caption: t('inventory.levelsCaption'),
    endpoint: '/admin/inventory/levels',
    sortFields: ['onHand', 'reserved', 'available', 'lowStockThreshold', 'updatedAt'],
    syncUrl: true,
    filters: [...storeFilter(), { name: 'low', label: t('inventory.lowOnly'), type: 'checkbox' }],
    rowClass: (l) => (l.isLow ? 'row-warning' : null),
    columns: [
      { key: 'skuCode', label: t('field.skuCode'), render: (l) => h('span', { class: 'mono', text: l.skuCode }) },
      { key: 'productTitle', label: t('field.product'), render: (l) => `${l.productTitle}${l.specTitle ? ` · ${l.specTitle}` : ''}` },
      { key: 'storeId', label: t('field.store'), render: (l) => storeCell(l.storeId) },
      { key: 'onHand', label: t('field.onHand'), align: 'num', render: (l) => number(l.onHand) },
      { key: 'reserved', label: t('field.reserved'), align: 'num', render: (l) => number(l.reserved) },
      { key: 'available', label: t('field.available'), align: 'num', render: (l) => [number(l.available), l.isLow ? [' ', badge('stock', 'low')] : null] },
      { key: 'lowStockThreshold', label: t('field.threshold'), align: 'num', render: (l) => (l.thresholdIsDefault ? t('inventory.defaultThreshold', { n: l.lowStockThreshold }) : number(l.lowStockThreshold)) },
      ...(manage ? [{ key: 'actions', label: t('table.actions'), action: true, render: (l) => [
        button(t('inventory.adjust'), () => adjust(l), { 'aria-label': `${t('inventory.adjust')} ${l.skuCode}` }),
        button(t('inventory.setThreshold'), () => threshold(l), { 'aria-label': `${t('inventory.setThreshold')} ${l.skuCode}` }),
      ] }] : []),
    ],
  });
  add(root, pageHeader(t('inventory.title')), tabs('levels'), table.element);
  table.reload();
}

/** Goods in and goods out share one form: a store, lines, and a reference or a reason. */
function renderStockDocument(root, kind) {
  const lines = stockLinesEditor();
  const receive = kind === 'receive';
  const result = h('div', { class: 'card booked-result', tabindex: '-1' });
  const form = createForm({
    fields: [
      { name: 'storeId', label: t('field.store'), type: 'select', required: true, options: storeOptions({ all: context.stores.length !== 1 }).map((o) => (o.value === '' ? { ...o, label: t('filter.choose') } : o)) },
      ...(receive
        ? [{ name: 'reference', label: t('inventory.reference') }, { name: 'note', label: t('field.note') }]
        : [{ name: 'reason', label: t('field.reason'), required: true }]),
    ],
    extra: lines.element,
    submitLabel: receive ? t('inventory.bookReceipt') : t('inventory.bookOutbound'),
    resolveExtra: lines.resolve,
    validate: () => lines.validate(),
    onSubmit: (v) => post(receive ? '/admin/inventory/receipts' : '/admin/inventory/outbound', { ...v, lines: lines.read() }),
    onSuccess: (entries) => {
      // The document is booked: empty the lines and its reference so that pressing the button
      // again cannot book the same goods twice. The store stays chosen for the next document.
      lines.reset();
      for (const name of ['reference', 'note', 'reason']) {
        const input = form.input(name);
        if (input) input.value = '';
      }
      const message = t(receive ? 'inventory.receiptBooked' : 'inventory.outboundBooked', { count: entries.length });
      announce(message);
      result.replaceChildren(notice(message, 'ok'), bookedTable(entries));
      result.focus();
    },
  });
  add(root, pageHeader(receive ? t('inventory.receive') : t('inventory.outbound')), tabs(kind), result, h('section', { class: 'card' }, form.element));
}

function bookedTable(entries) {
  const caption = t('inventory.bookedCaption');
  return h('section', { class: 'booked' }, h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    stackOnPhone(h('table', { class: 'data compact' }, h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, [t('field.skuCode'), t('field.product'), t('field.onHand'), t('field.available')].map((x, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : null, text: x })))),
      h('tbody', {}, entries.map((l) => h('tr', {}, h('th', { scope: 'row', class: 'mono', text: l.skuCode }), h('td', { text: `${l.productTitle} ${l.specTitle || ''}` }),
        h('td', { class: 'num', text: number(l.onHand) }), h('td', { class: 'num', text: number(l.available) }))))))));
}

function renderMovements(root) {
  const table = createTable({
    caption: t('inventory.movementsCaption'),
    endpoint: '/admin/inventory/movements',
    sortFields: ['createdAt', 'kind', 'onHandDelta', 'reservedDelta', 'onHandAfter', 'reason'],
    syncUrl: true,
    filters: [
      ...storeFilter(),
      { name: 'kind', label: t('field.kind'), type: 'select', options: enumOptions('movementKind', movementKinds) },
      { name: 'from', label: t('field.from'), type: 'datetime' },
      { name: 'to', label: t('field.to'), type: 'datetime' },
    ],
    columns: [
      { key: 'createdAt', label: t('field.time'), render: (m) => dateTime(m.createdAt) },
      { key: 'kind', label: t('field.kind'), render: (m) => label('movementKind', m.kind) },
      { key: 'skuId', label: t('field.sku'), render: (m) => skuLabel(m.skuId) },
      { key: 'storeId', label: t('field.store'), render: (m) => storeCell(m.storeId) },
      { key: 'onHandDelta', label: t('inventory.onHandDelta'), align: 'num', render: (m) => signed(m.onHandDelta) },
      { key: 'reservedDelta', label: t('inventory.reservedDelta'), align: 'num', render: (m) => signed(m.reservedDelta) },
      { key: 'onHandAfter', label: t('inventory.onHandAfter'), align: 'num', render: (m) => number(m.onHandAfter) },
      { key: 'reason', label: t('field.reason'), render: (m) => m.reason || (m.referenceType ? `${label('referenceType', m.referenceType)} ${shortId(m.referenceId)}`.trim() : '') },
    ],
  });
  add(root, pageHeader(t('inventory.movements')), tabs('movements'), table.element);
  table.reload();
}

function signed(n) {
  if (!n) return '0';
  return n > 0 ? `+${number(n)}` : number(n);
}

function renderAlerts(root) {
  const table = createTable({
    caption: t('inventory.alertsCaption'),
    endpoint: '/admin/inventory/alerts',
    sortFields: ['createdAt', 'available', 'threshold', 'status', 'resolvedAt'],
    syncUrl: true,
    filters: [
      ...storeFilter(),
      { name: 'status', label: t('field.status'), type: 'select', value: 'open', options: enumOptions('alertStatus', ['open', 'resolved', 'all'], { all: false }) },
    ],
    columns: [
      { key: 'createdAt', label: t('field.createdAt'), render: (a) => dateTime(a.createdAt) },
      { key: 'skuId', label: t('field.sku'), render: (a) => skuLabel(a.skuId) },
      { key: 'storeId', label: t('field.store'), render: (a) => storeCell(a.storeId) },
      { key: 'available', label: t('field.available'), align: 'num', render: (a) => number(a.available) },
      { key: 'threshold', label: t('field.threshold'), align: 'num', render: (a) => number(a.threshold) },
      { key: 'status', label: t('field.status'), render: (a) => badge('alertStatus', a.status) },
      { key: 'resolvedAt', label: t('inventory.resolvedAt'), render: (a) => dateTime(a.resolvedAt) },
    ],
  });
  add(root, pageHeader(t('inventory.alerts')), tabs('alerts'), table.element);
  table.reload();
}

