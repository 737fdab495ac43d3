import { context, can, canAtStore, storeById } from '../context.js';
import { get, post, api } from '../api.js';
import { add, h, pageHeader, badge, link, button, busy, announce, errorNotice, facts, uid, errorText, stackOnPhone, notice } from '../dom.js';
import { createTable } from '../table.js';
import { createForm, ErrorPresenter } from '../form.js';
import { t, dateTime, number } from '../i18n.js';
import { storeOptions, storeCell, enumOptions, confirmDialog, stockLinesEditor } from '../widgets.js';

const statuses = ['created', 'shipped', 'partially_received', 'received', 'cancelled'];

export async function render(root, params, tabs) {
  const id = params.get('id');
  add(root, pageHeader(t('inventory.transfers')), tabs('transfers'));
  if (id === 'new') return renderCreate(root);
  if (id) return renderTransfer(root, id);
  return renderList(root);
}

function renderList(root) {
  const table = createTable({
    caption: t('transfer.caption'),
    endpoint: '/admin/transfers',
    sortFields: ['number', 'status', 'createdAt', 'shippedAt', 'receivedAt'],
    syncUrl: true,
    filters: [{ name: 'status', label: t('field.status'), type: 'select', options: enumOptions('transferStatus', statuses) }],
    columns: [
      { key: 'number', label: t('transfer.number'), render: (x) => link(`/console/inventory/transfers?id=${x.id}`, x.number) },
      { key: 'fromStoreId', label: t('transfer.from'), render: (x) => storeCell(x.fromStoreId, x.fromStoreName) },
      { key: 'toStoreId', label: t('transfer.to'), render: (x) => storeCell(x.toStoreId, x.toStoreName) },
      { key: 'status', label: t('field.status'), render: (x) => badge('transferStatus', x.status) },
      { key: 'units', label: t('transfer.units'), align: 'num', render: (x) => number(x.lines.reduce((n, l) => n + l.quantity, 0)) },
      { key: 'createdAt', label: t('field.createdAt'), render: (x) => dateTime(x.createdAt) },
    ],
  });
  if (canRaiseTransfer()) add(root, h('div', { class: 'actions-row' }, link('/console/inventory/transfers?id=new', t('transfer.new'), { class: 'btn btn-primary' })));
  add(root, table.element);
  table.reload();
}

/**
 * A transfer leaves a store where the staff member manages stock for another store of the same
 * merchant that they can see; with no such pair there is nothing to raise.
 */
function canRaiseTransfer() {
  return context.stores.some((from) => canAtStore('inventory.manage', from.id, from.merchantId)
    && context.stores.some((to) => to.id !== from.id && to.merchantId === from.merchantId));
}

function renderCreate(root) {
  if (!canRaiseTransfer()) {
    add(root, notice(t('transfer.cannotCreate'), 'info'));
    return;
  }
  const lines = stockLinesEditor();
  const choose = (o) => (o.value === '' ? { ...o, label: t('filter.choose') } : o);
  // Goods leave from a store where the staff member manages stock; they go to another store of
  // the same merchant.
  const sources = storeOptions().filter((o) => o.value === '' || canAtStore('inventory.manage', o.value, storeById(o.value)?.merchantId));
  const form = createForm({
    fields: [
      { name: 'fromStoreId', label: t('transfer.from'), type: 'select', required: true, options: sources.map(choose) },
      { name: 'toStoreId', label: t('transfer.to'), type: 'select', required: true, options: storeOptions().map(choose) },
      { name: 'expectedArrivalAt', label: t('transfer.expectedArrival'), type: 'datetime' },
      { name: 'note', label: t('field.note') },
    ],
    extra: lines.element,
    resolveExtra: lines.resolve,
    submitLabel: t('transfer.create'),
    validate: (v) => {
      const errors = [];
      if (v.fromStoreId && v.toStoreId && v.fromStoreId === v.toStoreId) errors.push({ field: 'toStoreId', message: t('transfer.sameStore') });
      const from = storeById(v.fromStoreId); const to = storeById(v.toStoreId);
      if (from && to && from.merchantId !== to.merchantId) errors.push({ field: 'toStoreId', message: t('transfer.otherMerchant') });
      return [...errors, ...lines.validate()];
    },
    onSubmit: (v) => post('/admin/transfers', { ...v, lines: lines.read() }),
    onSuccess: (x) => location.assign(`/console/inventory/transfers?id=${x.id}`),
  });
  add(root, h('section', { class: 'card' }, h('h2', { text: t('transfer.new') }), form.element));
}

async function renderTransfer(root, id) {
  add(root, h('p', { class: 'breadcrumb' }, link('/console/inventory/transfers', t('inventory.transfers'))));
  let x;
  try {
    x = await get(`/admin/transfers/${id}`);
  } catch (error) {
    add(root, errorNotice(error));
    return;
  }
  const manage = can('inventory.manage');
  const step = (text, path, question, kind = '') => button(text, async (event) => {
    // currentTarget is gone once the dialog has been awaited.
    const node = event.currentTarget;
    if (!(await confirmDialog(text, question))) return;
    try {
      await busy(node, () => api(`/admin/transfers/${x.id}/${path}`, { method: 'POST' }));
      location.reload();
    } catch (error) {
      announce(errorText(error), 'error');
    }
  }, { kind });
  const actions = [];
  if (manage && x.status === 'created') actions.push(step(t('transfer.ship'), 'ship', t('transfer.shipConfirm'), 'primary'), step(t('transfer.cancel'), 'cancel', t('transfer.cancelConfirm'), 'danger'));
  if (manage && ['shipped', 'partially_received'].includes(x.status)) actions.push(step(t('transfer.close'), 'close', t('transfer.closeConfirm')));
  const inTransit = manage && ['shipped', 'partially_received'].includes(x.status);
  add(root, h('section', { class: 'card' },
    h('h2', {}, x.number, ' ', badge('transferStatus', x.status)),
    facts([[t('transfer.from'), storeCell(x.fromStoreId, x.fromStoreName)], [t('transfer.to'), storeCell(x.toStoreId, x.toStoreName)], [t('field.createdAt'), dateTime(x.createdAt)],
      [t('transfer.expectedArrival'), dateTime(x.expectedArrivalAt)], [t('transfer.shippedAt'), dateTime(x.shippedAt)], [t('transfer.receivedAt'), dateTime(x.receivedAt)], [t('field.note'), x.note]]),
    actions.length ? h('div', { class: 'actions-row' }, actions) : null));
  add(root, inTransit ? receiveForm(x) : linesTable(x, null));
}

function linesTable(x, inputs) {
  const caption = t('transfer.lines');
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    stackOnPhone(h('table', { class: 'data compact transfer-lines' }, h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, [t('field.skuCode'), t('field.quantity'), t('transfer.received'), t('transfer.discrepancy'), inputs ? t('transfer.receiveNow') : null]
        .filter(Boolean).map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null, text: c })))),
      h('tbody', {}, x.lines.map((l, i) => h('tr', {}, h('th', { scope: 'row' }, h('span', { class: 'mono', text: l.skuCode }), l.title ? [' ', l.title] : null),
        h('td', { class: 'num', text: number(l.quantity) }), h('td', { class: 'num', text: number(l.receivedQuantity) }),
        h('td', { class: 'num', text: number(l.discrepancy) }), inputs ? h('td', { class: 'num' }, inputs[i]) : null))))));
}

/** Receiving lets the destination book what actually arrived, line by line. */
function receiveForm(x) {
  const inputs = x.lines.map((l) => h('input', {
    id: uid('recv'), type: 'number', min: 0, step: 1, value: Math.max(0, l.quantity - l.receivedQuantity),
    'aria-label': t('transfer.receiveLine', { sku: l.skuCode }),
  }));
  const form = h('form', { class: 'form card', novalidate: true }, linesTable(x, inputs),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: t('transfer.receive') })));
  const presenter = new ErrorPresenter(form);
  const byIndex = (i) => ({ input: inputs[i], label: t('transfer.receiveLine', { sku: x.lines[i].skuCode }) });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    presenter.clear();
    // A bad quantity is the clerk's to fix, never a line quietly left out; an empty box or 0
    // means nothing of that line arrived this time.
    const local = [];
    const entered = x.lines.map((l, i) => {
      const raw = inputs[i].value.trim();
      if (raw === '') return 0;
      if (!/^-?\d+$/.test(raw)) { local.push({ field: `${i}`, message: t('form.badInteger') }); return 0; }
      const n = Number(raw);
      if (n < 0) local.push({ field: `${i}`, message: t('transfer.negative') });
      return n;
    });
    if (!local.length && !entered.some((n) => n > 0)) local.push({ field: '0', message: t('transfer.nothingReceived') });
    if (local.length) {
      presenter.show({ status: 422, errors: local }, (name) => byIndex(Number(name)));
      return;
    }
    const sent = entered.map((n, i) => (n > 0 ? i : -1)).filter((i) => i >= 0);
    const lines = sent.map((i) => ({ skuId: x.lines[i].skuId, quantity: entered[i] }));
    try {
      await post(`/admin/transfers/${x.id}/receive`, { lines });
      location.reload();
    } catch (error) {
      presenter.show(error, (name) => {
        const m = /^lines\[(\d+)\]/.exec(name);
        return m && sent[Number(m[1])] !== undefined ? byIndex(sent[Number(m[1])]) : null;
      });
    }
  });
  return form;
}
