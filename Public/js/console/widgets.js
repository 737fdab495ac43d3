import { context, storeName, can } from './context.js';
import { get } from './api.js';
import { h, uid, openDialog, shortId, button, link, stackOnPhone } from './dom.js';
import { createForm } from './form.js';
import { t, label, has } from './i18n.js';

/** Options for a store select from the stores the shell says the staff member can see. */
export function storeOptions({ all = true, exclude = [], merchantId } = {}) {
  const stores = context.stores.filter((s) => !exclude.includes(s.id) && (!merchantId || s.merchantId === merchantId));
  return [
    ...(all ? [{ value: '', label: t('filter.allStores') }] : []),
    ...stores.map((s) => ({ value: s.id, label: `${s.code} ${s.name}` })),
  ];
}

/** A store filter is only worth a control when there is more than one store to choose. */
export function storeFilter(extra = {}) {
  return context.stores.length > 1 ? [{ name: 'storeId', label: t('field.store'), type: 'select', options: storeOptions(), ...extra }] : [];
}

export function enumOptions(group, values, { all = true, allLabel } = {}) {
  return [
    ...(all ? [{ value: '', label: allLabel || t('filter.all') }] : []),
    ...values.map((v) => ({ value: v, label: label(group, v) })),
  ];
}

/**
 * A store by name. A store outside the staff member's reach (the other side of a transfer)
 * shows the name the record carries, else a plain "another store", never its id.
 */
export function storeCell(id, knownName) {
  if (!id) return '';
  return storeName(id) || knownName || t('store.other');
}

// The self-operated merchant's fixed id (MallCore's SelfOperated.id), for the fallback label
// when the merchant list cannot be read.
const selfOperatedMerchantId = '00000000-0000-4000-8000-000000000001';

let merchantsPromise = null;
/** Merchants by id from the admin list (needs merchant.view); an empty map without it. */
export function loadMerchants() {
  if (!merchantsPromise) {
    merchantsPromise = (can('merchant.view') ? get('/admin/merchants', { per: 200 }) : Promise.resolve({ items: [] }))
      .then((page) => new Map((page.items || []).map((m) => [String(m.id).toUpperCase(), m])))
      .catch(() => new Map());
  }
  return merchantsPromise;
}

/**
 * A merchant's name for people: from the merchant list when loaded, else 自营 for the
 * self-operated merchant, else "merchant of <store>" from the stores in reach, else "a merchant".
 */
export function merchantLabel(id, directory = new Map()) {
  const key = String(id || '').toUpperCase();
  const merchant = directory.get(key);
  if (merchant) return merchant.name;
  if (key === selfOperatedMerchantId.toUpperCase()) return t('merchant.selfOperated');
  const store = context.stores.find((s) => String(s.merchantId).toUpperCase() === key);
  return store ? t('staff.merchantOf', { store: store.name }) : t('merchant.other');
}

/** What an audit row or a grant was scoped to: the platform, a named merchant or a named store. */
export function scopeLabel(scope, directory) {
  const text = String(scope || '');
  if (text === 'platform') return label('scope', 'platform');
  const [kind, id] = text.split(':');
  if (kind === 'store') {
    const name = storeName(id);
    return name ? `${label('scope', 'store')} · ${name}` : t('scope.otherStore');
  }
  if (kind === 'merchant') return `${label('scope', 'merchant')} · ${merchantLabel(id, directory)}`;
  return label('scope', kind);
}

/** A role's name: built-in roles by their code from the catalog, custom roles as named. */
export function roleLabel(code, name) {
  return has(`roleName.${code}`) ? t(`roleName.${code}`) : (name || String(code));
}

/** Refund causes are codes, or `after_sales:<id>` naming the case that asked for the money. */
export function refundCause(refund) {
  const m = /^after_sales:(.+)$/.exec(String(refund.cause || ''));
  if (!m) return label('refundCause', refund.cause);
  const text = refund.afterSalesNumber ? t('refundCause.afterSalesNumber', { number: refund.afterSalesNumber }) : t('refundCause.afterSalesCase');
  // Only staff who handle after-sales can open the case.
  return can('aftersales.handle') ? link(`/console/aftersales/${m[1]}`, text) : text;
}

// SKU names are not on ledger rows or alerts, only ids; one levels call per SKU names it, and
// the cache keeps a page of movements from asking twice for the same SKU.
const skuCache = new Map();
export function skuLabel(skuId) {
  if (!skuCache.has(skuId)) {
    skuCache.set(skuId, get('/admin/inventory/levels', { skuId, per: 1 })
      .then((page) => page.items[0] || null)
      .catch(() => null));
  }
  const node = h('span', { class: 'sku-label', text: shortId(skuId) });
  skuCache.get(skuId).then((entry) => {
    if (entry) {
      node.textContent = '';
      node.append(h('span', { class: 'mono', text: entry.skuCode }), ' ', `${entry.productTitle}${entry.specTitle ? ` · ${entry.specTitle}` : ''}`);
    }
  });
  return node;
}

let carriersPromise = null;
export function loadCarriers() {
  if (!carriersPromise) carriersPromise = get('/carriers').catch(() => []);
  return carriersPromise;
}

/**
 * A carrier's name: built-in carriers the console catalog knows (the store's own courier) in the
 * console's language, any other as the API names it.
 */
export function carrierName(carrier) {
  return has(`carrier.${carrier.code}`) ? t(`carrier.${carrier.code}`) : carrier.name;
}

/**
 * The ship form shared by orders and exchange replacements: a carrier with its tracking
 * number, or the store's own courier with a name and mobile number instead.
 */
export async function shipmentFields() {
  const carriers = await loadCarriers();
  return [
    { name: 'carrier', label: t('field.carrier'), type: 'select', required: true,
      options: [{ value: '', label: t('filter.choose') }, ...carriers.map((c) => ({ value: c.code, label: carrierName(c) }))] },
    { name: 'trackingNumber', label: t('field.trackingNumber'), autocomplete: 'off' },
    { name: 'courierName', label: t('field.courierName') },
    { name: 'courierPhone', label: t('field.courierPhone'), type: 'tel' },
  ];
}

/** Shows only the inputs the chosen carrier needs. */
export function wireShipmentForm(form) {
  const carrier = form.input('carrier');
  const sync = () => {
    const courier = carrier.value === 'store_courier';
    form.input('trackingNumber').closest('.field').hidden = courier;
    form.input('courierName').closest('.field').hidden = !courier;
    form.input('courierPhone').closest('.field').hidden = !courier;
  };
  carrier.addEventListener('change', sync);
  sync();
}

/** A dialog holding one form; resolves with the form's result, or undefined when dismissed. */
export function formDialog(title, options) {
  let result;
  return openDialog(title, (close) => {
    const form = createForm({
      ...options,
      cancel: close,
      onSuccess: async (value) => { result = value; close(); },
    });
    if (options.setup) options.setup(form);
    return form.element;
  }).then(() => result);
}

export function reasonDialog(title, onSubmit, { labelText } = {}) {
  return formDialog(title, {
    fields: [{ name: 'reason', label: labelText || t('field.reason'), type: 'textarea', required: true, rows: 3 }],
    submitLabel: t('action.confirm'),
    onSubmit,
  });
}

/** Asks before an action that cannot be undone; resolves true when confirmed. */
export function confirmDialog(title, message) {
  let ok = false;
  return openDialog(title, (close) => h('div', { class: 'confirm' },
    h('p', { text: message }),
    h('div', { class: 'form-actions' },
      button(t('action.confirm'), () => { ok = true; close(); }, { kind: 'primary' }),
      button(t('action.cancel'), close)))).then(() => ok);
}

/**
 * Editable stock lines (SKU by barcode or code, and a quantity) for receipts, goods out and
 * transfers. `read()` returns StockLineInput objects; `inputFor(index, key)` lets a form put the
 * server's `lines[2].quantity` error on the right input.
 */
export function stockLinesEditor() {
  const body = h('tbody');
  const rows = [];
  const captionId = uid('lines');
  const addRow = () => {
    const index = rows.length + 1;
    const code = h('input', { id: uid('line-code'), type: 'text', autocomplete: 'off', 'aria-label': t('field.lineCode', { n: index }), placeholder: t('field.barcodeOrCode') });
    const qty = h('input', { id: uid('line-qty'), type: 'number', min: 1, step: 1, 'aria-label': t('field.lineQty', { n: index }) });
    const row = { code, qty };
    const remove = button(t('action.remove'), () => {
      rows.splice(rows.indexOf(row), 1);
      tr.remove();
    }, { 'aria-label': t('action.removeLine', { n: index }) });
    // Scanners end with Enter: go to the quantity, then Enter there starts the next line.
    code.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); qty.focus(); } });
    qty.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addRow().code.focus(); } });
    const tr = h('tr', {}, h('td', {}, code), h('td', {}, qty), h('td', { class: 'cell-actions' }, remove));
    rows.push(row);
    body.append(tr);
    stackOnPhone(table);
    return row;
  };
  const table = h('table', { class: 'data compact', 'aria-labelledby': captionId },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('field.barcodeOrCode') }), h('th', { scope: 'col', text: t('field.quantity') }), h('th', { scope: 'col', text: t('table.actions') }))),
    body);
  addRow();
  const element = h('fieldset', { class: 'lines-editor' },
    h('legend', { id: captionId, text: t('field.lines') }),
    h('div', { class: 'table-scroll' }, table),
    button(t('action.addLine'), () => addRow().code.focus()));
  const read = () => rows.filter((r) => r.code.value.trim()).map((r) => {
    const value = r.code.value.trim();
    // EAN/UPC barcodes are all digits; anything else is a SKU code.
    return /^\d{8,14}$/.test(value)
      ? { barcode: value, quantity: Number(r.qty.value) }
      : { skuCode: value, quantity: Number(r.qty.value) };
  });
  const filled = () => rows.filter((r) => r.code.value.trim());
  /** What the browser can tell before sending: at least one line, each a whole number above 0. */
  const validate = () => {
    const lines = filled();
    if (!lines.length) return [{ field: 'lines', message: t('form.noLines') }];
    const errors = [];
    lines.forEach((r, i) => {
      const raw = r.qty.value.trim();
      if (raw === '') errors.push({ field: `lines[${i}].quantity`, message: t('form.required') });
      else if (!/^\d+$/.test(raw) || Number(raw) < 1) errors.push({ field: `lines[${i}].quantity`, message: t('form.positiveInteger') });
    });
    return errors;
  };
  /** Back to one empty line, after a document is booked, so a second click books nothing twice. */
  const reset = () => {
    rows.splice(0, rows.length);
    body.replaceChildren();
    addRow();
  };
  const resolve = (name) => {
    const m = /^lines\[(\d+)\](?:\.(\w+))?/.exec(name);
    if (!m) return name === 'lines' ? { input: rows[0]?.code, label: t('field.lines') } : null;
    const row = filled()[Number(m[1])];
    if (!row) return null;
    const isQty = m[2] === 'quantity';
    return { input: isQty ? row.qty : row.code, label: t(isQty ? 'field.lineQty' : 'field.lineCode', { n: Number(m[1]) + 1 }) };
  };
  return { element, read, resolve, reset, validate };
}
