import { merchantsWith, context, canAtStore } from '../context.js';
import { api, apiUrl } from '../api.js';
import { add, h, pageHeader, notice, clear, uid, link, errorText, facts } from '../dom.js';
import { t, number } from '../i18n.js';
import { loadMerchants, merchantLabel, storeOptions } from '../widgets.js';

/**
 * What an import did: counts, and each refused row with its column and reason. An all-or-nothing
 * import refused as a whole comes back as a 422 whose errors name the same `rows[N].column`.
 */
function importResult(report) {
  const errors = report.errors || [];
  const rowOf = (field) => /^rows\[(\d+)\](?:\.(.+))?$/.exec(field || '');
  return h('div', { class: 'import-result', role: 'status' },
    report.rows !== undefined ? facts([
      [t('csv.rows'), number(report.rows)],
      [t('csv.created'), number(report.created)],
      [t('csv.updated'), number(report.updated)],
      [t('csv.failedRows'), number((report.failedRows || []).length)],
    ]) : notice(t('csv.rejectedWhole'), 'error'),
    errors.length ? h('table', { class: 'data compact import-errors' },
      h('caption', { text: t('csv.errorsCaption') }),
      h('thead', {}, h('tr', {}, [t('csv.row'), t('csv.column'), t('csv.problem')].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, errors.map((e) => {
        const m = rowOf(e.field);
        return h('tr', {}, h('th', { scope: 'row', text: m ? m[1] : '' }), h('td', { class: 'mono', text: m ? (m[2] || '') : e.field }), h('td', { text: e.message }));
      }))) : null);
}

/**
 * A download link and an upload form for one CSV endpoint pair. `target()` gives the query
 * (merchant or store) both need; `mode` chooses all-or-nothing or partial imports.
 */
function csvPanel({ title, exportPath, importPath, target, exportName, help, canImport }) {
  const result = h('div', { 'aria-live': 'polite' });
  const fileId = uid('csv'); const modeId = uid('mode');
  const file = h('input', { id: fileId, type: 'file', accept: '.csv,text/csv', required: true });
  const mode = h('select', { id: modeId }, ['all', 'partial'].map((m) => h('option', { value: m }, t(`csv.mode.${m}`))));
  const download = link('#', t('csv.download'), { class: 'btn', download: exportName });
  const syncLink = () => { download.href = apiUrl(exportPath, target()); };
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: t('csv.upload') });
  const form = h('form', { class: 'form csv-import', novalidate: true },
    h('div', { class: 'form-grid' },
      h('div', { class: 'field' }, h('label', { for: fileId, text: t('csv.file') }), file),
      h('div', { class: 'field' }, h('label', { for: modeId, text: t('csv.modeLabel') }), mode)),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(result);
    const chosen = file.files[0];
    if (!chosen) { result.append(notice(t('csv.chooseFile'), 'error')); return; }
    submit.disabled = true;
    try {
      // The endpoint reads the body as CSV text, not a multipart form.
      const body = new Blob([await chosen.arrayBuffer()], { type: 'text/csv' });
      const report = await api(importPath, { method: 'POST', query: { ...target(), mode: mode.value }, form: body });
      result.append(importResult(report));
    } catch (error) {
      if (error.status === 422 && error.errors.length) result.append(importResult({ errors: error.errors }));
      else result.append(notice(errorText(error), 'error'));
    } finally {
      submit.disabled = false;
    }
  });
  return {
    element: h('section', { class: 'card csv-panel' },
      h('h2', { text: title }), h('p', { class: 'field-help', text: help }),
      h('div', { class: 'actions-row' }, download),
      canImport() ? [form, result] : null),
    syncLink,
  };
}

function picker(labelText, options, onChange) {
  const id = uid('pick');
  const select = h('select', { id, onchange: onChange }, options.map((o) => h('option', { value: o.value }, o.label)));
  return { select, element: h('div', { class: 'field' }, h('label', { for: id, text: labelText }), select) };
}

/** Catalogue CSV: a merchant's products and SKUs out, and back in as drafts. */
export async function renderCatalog(root, tabs) {
  const directory = await loadMerchants();
  const editable = merchantsWith('catalog.edit');
  const viewable = merchantsWith('catalog.view');
  const ids = viewable === null ? [...directory.keys()] : viewable;
  add(root, pageHeader(t('csv.catalogTitle')), tabs('csv'));
  if (!ids.length) { add(root, notice(t('csv.noMerchant'))); return; }
  const merchant = picker(t('field.merchant'), ids.map((id) => ({ value: id, label: merchantLabel(id, directory) })), () => panel.syncLink());
  const panel = csvPanel({
    title: t('csv.products'), exportPath: '/admin/products/export', importPath: '/admin/products/import',
    target: () => ({ merchantId: merchant.select.value }), exportName: 'products.csv', help: t('csv.productsHelp'),
    canImport: () => editable === null || editable.length > 0,
  });
  add(root, ids.length > 1 ? h('section', { class: 'card' }, merchant.element) : null, panel.element);
  panel.syncLink();
}

/** Stock CSV: a store's levels out with an empty counted column, and counted quantities back in. */
export async function renderStock(root, tabs) {
  add(root, pageHeader(t('csv.stockTitle')), tabs('csv'));
  const stores = storeOptions({ all: false });
  if (!stores.length) { add(root, notice(t('csv.noStore'))); return; }
  const store = picker(t('field.store'), stores, () => { const old = panel.element; old.replaceWith(build().element); });
  const manages = () => {
    const chosen = context.stores.find((s) => s.id === store.select.value);
    return Boolean(chosen && canAtStore('inventory.manage', chosen.id, chosen.merchantId));
  };
  const build = () => {
    panel = csvPanel({
      title: t('csv.stock'), exportPath: '/admin/inventory/export', importPath: '/admin/inventory/import',
      target: () => ({ storeId: store.select.value }), exportName: 'stock.csv', help: t('csv.stockHelp'), canImport: manages,
    });
    panel.syncLink();
    return panel;
  };
  let panel;
  add(root, stores.length > 1 ? h('section', { class: 'card' }, store.element) : null, build().element);
}
