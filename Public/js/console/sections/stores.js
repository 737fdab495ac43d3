import { can, canAboveStore, canAtStore, merchantsWith } from '../context.js';
import { get, post, patch } from '../api.js';
import { add, h, pageHeader, badge, link, button, announce, errorNotice, notice } from '../dom.js';
import { createTable } from '../table.js';
import { createForm } from '../form.js';
import { t, dateTime, number, label } from '../i18n.js';
import { enumOptions, formDialog, loadMerchants, merchantLabel } from '../widgets.js';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// Which status changes a store allows (see StoreStatus in the API); the server re-checks.
const nextStatuses = { open: ['closed', 'suspended'], closed: ['open', 'suspended'], suspended: ['closed'] };

export async function render(root, { id }) {
  if (id) return renderStore(root, id === 'new' ? null : id);
  return renderList(root);
}

function renderList(root) {
  const table = createTable({
    caption: t('stores.caption'),
    endpoint: '/admin/stores',
    sortFields: ['code', 'name', 'kind', 'status', 'city', 'pickupEnabled', 'dailyOrderCapacity', 'createdAt'],
    syncUrl: true,
    filters: [
      { name: 'q', label: t('field.keyword'), type: 'search' },
      { name: 'city', label: t('field.city') },
      { name: 'kind', label: t('field.kind'), type: 'select', options: enumOptions('storeKind', ['store', 'warehouse']) },
      { name: 'status', label: t('field.status'), type: 'select', options: enumOptions('storeStatus', ['open', 'closed', 'suspended']) },
    ],
    columns: [
      { key: 'code', label: t('field.code'), render: (s) => link(`/console/stores/${s.id}`, s.code) },
      { key: 'name', label: t('field.name') },
      { key: 'kind', label: t('field.kind'), render: (s) => label('storeKind', s.kind) },
      { key: 'status', label: t('field.status'), render: (s) => badge('storeStatus', s.status) },
      { key: 'city', label: t('field.city'), render: (s) => `${s.city} ${s.district}` },
      { key: 'phone', label: t('field.phone') },
      { key: 'pickupEnabled', label: t('field.pickupEnabled'), render: (s) => (s.pickupEnabled ? t('common.yes') : t('common.no')) },
      { key: 'dailyOrderCapacity', label: t('field.dailyOrderCapacity'), align: 'num', render: (s) => number(s.dailyOrderCapacity) },
    ],
  });
  // A new store belongs to a merchant: only store.manage at merchant or platform level may add one.
  add(root, pageHeader(t('stores.title'),
    can('merchant.view') ? link('/console/shipping', t('stores.shipping'), { class: 'btn' }) : null,
    canAboveStore('store.manage') ? link('/console/stores/new', t('stores.new'), { class: 'btn btn-primary' }) : null), table.element);
  table.reload();
}

/** Opening hours as one text box per weekday, `09:00-21:00, 22:00-02:00`; empty means closed. */
function hoursFields(hours = {}) {
  return days.map((d) => ({ name: `hours.${d}`, label: label('weekday', d), value: (hours[d] || []).join(', '), placeholder: '09:00-21:00' }));
}

function readHours(values) {
  const out = {};
  for (const d of days) {
    const text = values[`hours.${d}`];
    if (text) out[d] = text.split(/[,，\s]+/).filter(Boolean);
  }
  return out;
}

/** Merchants a new store may be added to: every active one for the platform, else the staff member's own. */
async function merchantOptions() {
  const allowed = merchantsWith('store.manage');
  const directory = await loadMerchants();
  const ids = allowed === null
    ? [...directory.values()].filter((m) => m.status === 'active').map((m) => String(m.id).toUpperCase())
    : allowed;
  return ids.map((id) => ({ value: id, label: merchantLabel(id, directory) }));
}

async function renderStore(root, id) {
  let store = null;
  try {
    if (id) store = await get(`/admin/stores/${id}`);
  } catch (error) {
    add(root, pageHeader(t('stores.title')), errorNotice(error));
    return;
  }
  const manage = store ? canAtStore('store.manage', store.id, store.merchantId) : canAboveStore('store.manage');
  const s = store || { kind: 'store', pickupEnabled: true, deliveryRadiusKm: 5, dailyOrderCapacity: 200, openingHours: {} };
  add(root, h('p', { class: 'breadcrumb' }, link('/console/stores', t('stores.title'))));
  add(root, h('header', { class: 'page-header' },
    h('h1', {}, store ? `${store.code} ${store.name}` : t('stores.new'), store ? [' ', badge('storeStatus', store.status)] : null),
    h('div', { class: 'page-actions' }, store && manage ? (nextStatuses[store.status] || []).map((next) => button(label('storeAction', next), async () => {
      const result = await formDialog(label('storeAction', next), {
        fields: [{ name: 'reason', label: t('field.reason'), type: 'textarea', rows: 2 }],
        submitLabel: t('action.confirm'),
        onSubmit: (v) => post(`/admin/stores/${store.id}/status`, { status: next, ...v }),
      });
      if (result) location.reload();
    }, { kind: next === 'suspended' ? 'danger' : '' })) : null)));
  if (!manage) add(root, notice(t('common.readOnly'), 'info'));
  const merchants = store ? [] : await merchantOptions();
  const fields = [
    ...(store ? [] : [
      { name: 'merchantId', label: t('field.merchant'), type: 'select', required: true, value: merchants.length === 1 ? merchants[0].value : '', options: [{ value: '', label: t('filter.choose') }, ...merchants] },
      { name: 'code', label: t('field.code'), required: true },
    ]),
    { name: 'name', label: t('field.name'), required: true, value: s.name },
    { name: 'kind', label: t('field.kind'), type: 'select', value: s.kind, options: enumOptions('storeKind', ['store', 'warehouse'], { all: false }) },
    { name: 'phone', label: t('field.phone'), type: 'tel', required: true, value: s.phone },
    { name: 'province', label: t('field.province'), required: true, value: s.province },
    { name: 'city', label: t('field.city'), required: true, value: s.city },
    { name: 'district', label: t('field.district'), required: true, value: s.district },
    { name: 'address', label: t('field.address'), required: true, value: s.address, wide: true },
    { name: 'latitude', label: t('field.latitude'), type: 'number', step: 'any', required: true, value: s.latitude },
    { name: 'longitude', label: t('field.longitude'), type: 'number', step: 'any', required: true, value: s.longitude },
    { name: 'deliveryRadiusKm', label: t('field.deliveryRadiusKm'), type: 'number', step: '0.1', min: 0, value: s.deliveryRadiusKm },
    { name: 'dailyOrderCapacity', label: t('field.dailyOrderCapacity'), type: 'integer', min: 0, value: s.dailyOrderCapacity },
    { name: 'pickupEnabled', label: t('field.pickupEnabled'), type: 'checkbox', value: s.pickupEnabled },
    ...hoursFields(s.openingHours),
  ].map((f) => ({ ...f, disabled: !manage, readOnly: !manage }));
  const form = createForm({
    fields,
    submitLabel: store ? t('action.save') : t('stores.create'),
    aliases: Object.fromEntries(days.map((d) => [`openingHours.${d}`, `hours.${d}`])),
    onSubmit: (v) => {
      const body = { ...v, openingHours: readHours(v) };
      for (const d of days) delete body[`hours.${d}`];
      return store ? patch(`/admin/stores/${store.id}`, body) : post('/admin/stores', body);
    },
    onSuccess: (saved) => {
      announce(t('common.saved'));
      if (!store) location.assign(`/console/stores/${saved.id}`);
    },
  });
  if (!manage) form.element.querySelector('.form-actions').hidden = true;
  add(root, h('section', { class: 'card' }, form.element));
  if (store) add(root, h('p', { class: 'muted', text: t('stores.updated', { at: dateTime(store.updatedAt) }) }));
}
