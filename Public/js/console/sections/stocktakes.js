import { context, can } from '../context.js';
import { get, post, api } from '../api.js';
import { add, h, pageHeader, badge, link, button, busy, announce, errorNotice, facts, uid, clear, errorText } from '../dom.js';
import { createTable } from '../table.js';
import { createForm } from '../form.js';
import { t, dateTime, number, label } from '../i18n.js';
import { storeFilter, storeOptions, storeCell, confirmDialog } from '../widgets.js';

export async function render(root, params, tabs) {
  const id = params.get('id');
  if (id) return renderSheet(root, id, tabs);
  return renderList(root, tabs);
}

function renderList(root, tabs) {
  const table = createTable({
    caption: t('stocktake.caption'),
    endpoint: '/admin/stocktakes',
    sortFields: ['createdAt', 'status', 'note', 'postedAt'],
    syncUrl: true,
    filters: storeFilter(),
    columns: [
      { key: 'createdAt', label: t('field.createdAt'), render: (s) => link(`/console/inventory/stocktakes?id=${s.id}`, dateTime(s.createdAt)) },
      { key: 'storeId', label: t('field.store'), render: (s) => storeCell(s.storeId) },
      { key: 'status', label: t('field.status'), render: (s) => badge('stocktakeStatus', s.status) },
      { key: 'lines', label: t('stocktake.linesCounted'), align: 'num', render: (s) => number(s.lines.length) },
      { key: 'note', label: t('field.note') },
      { key: 'postedAt', label: t('stocktake.postedAt'), render: (s) => dateTime(s.postedAt) },
    ],
  });
  add(root, pageHeader(t('inventory.stocktakes')), tabs('stocktakes'));
  if (can('inventory.manage')) {
    const form = createForm({
      fields: [
        { name: 'storeId', label: t('field.store'), type: 'select', required: true, options: storeOptions({ all: context.stores.length !== 1 }).map((o) => (o.value === '' ? { ...o, label: t('filter.choose') } : o)) },
        { name: 'note', label: t('field.note') },
      ],
      submitLabel: t('stocktake.open'),
      className: 'compact-form',
      onSubmit: (v) => post('/admin/stocktakes', v),
      onSuccess: (sheet) => location.assign(`/console/inventory/stocktakes?id=${sheet.id}`),
    });
    add(root, h('section', { class: 'card' }, h('h2', { text: t('stocktake.new') }), form.element));
  }
  add(root, table.element);
  table.reload();
}

async function renderSheet(root, id, tabs) {
  add(root, pageHeader(t('stocktake.sheet')), tabs('stocktakes'), h('p', { class: 'breadcrumb' }, link('/console/inventory/stocktakes', t('inventory.stocktakes'))));
  let sheet;
  try {
    sheet = await get(`/admin/stocktakes/${id}`);
  } catch (error) {
    add(root, errorNotice(error));
    return;
  }
  const summary = h('section', { class: 'card' });
  const linesSection = h('section', { class: 'card' });
  let highlight = null;

  const draw = () => {
    clear(summary).append(h('h2', {}, storeCell(sheet.storeId), ' ', badge('stocktakeStatus', sheet.status)),
      facts([[t('field.createdAt'), dateTime(sheet.createdAt)], [t('stocktake.postedAt'), dateTime(sheet.postedAt)], [t('field.note'), sheet.note]]));
    const caption = t('stocktake.lines');
    clear(linesSection).append(h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
      h('table', { class: 'data compact' }, h('caption', { text: caption }),
        h('thead', {}, h('tr', {}, [t('field.skuCode'), t('stocktake.counted'), t('stocktake.book'), t('stocktake.difference')].map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null, text: x })))),
        h('tbody', {}, sheet.lines.length ? sheet.lines.map((l) => h('tr', { class: l.skuId === highlight ? 'row-highlight' : null },
          h('th', { scope: 'row', class: 'mono', text: l.skuCode }), h('td', { class: 'num', text: number(l.counted) }),
          h('td', { class: 'num', text: l.bookQuantity === undefined || l.bookQuantity === null ? '' : number(l.bookQuantity) }),
          h('td', { class: 'num', text: l.difference === undefined || l.difference === null ? '' : number(l.difference) })))
          : h('tr', {}, h('td', { colspan: 4, class: 'muted', text: t('stocktake.noCounts') }))))));
  };
  draw();
  add(root, summary);
  if (sheet.status === 'open' && can('inventory.manage')) add(root, countEntry(sheet, (next, skuId) => { sheet = next; highlight = skuId; draw(); }), sheetActions(sheet));
  add(root, linesSection);
}

/** Whether the digits are an EAN-8, UPC-A, EAN-13 or GTIN-14 with a correct check digit. */
function validBarcode(code) {
  if (!/^(\d{8}|\d{12,14})$/.test(code)) return false;
  const digits = [...code].map(Number);
  const check = digits.pop();
  const sum = digits.reverse().reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

/**
 * Counting at the shelf: scan or type a barcode (or SKU code), Enter finds the line and moves to
 * its count, Enter in the count saves it and returns to the barcode for the next item.
 */
function countEntry(sheet, update) {
  const codeId = uid('scan'); const countId = uid('count'); const modeId = uid('mode');
  const code = h('input', { id: codeId, type: 'text', autocomplete: 'off', inputmode: 'numeric', enterkeyhint: 'next' });
  const count = h('input', { id: countId, type: 'number', min: 0, step: 1, enterkeyhint: 'done', disabled: true });
  const mode = h('select', { id: modeId }, h('option', { value: 'set', text: t('stocktake.modeSet') }), h('option', { value: 'add', text: t('stocktake.modeAdd') }));
  const found = h('p', { class: 'scan-result', role: 'status', 'aria-live': 'polite', id: uid('found') });
  count.setAttribute('aria-describedby', found.id);
  let target = null;

  const refuse = (text) => {
    target = null;
    found.classList.add('scan-error');
    found.textContent = text;
    count.disabled = true;
    count.value = '';
    code.select();
    code.focus();
  };

  // A scan is answered before any count is typed: a wrong check digit needs no round trip,
  // anything else is looked up among the store merchant's SKUs with its book stock.
  const lookUp = async () => {
    const value = code.value.trim();
    if (!value) return;
    target = null;
    found.classList.remove('scan-error');
    if (/^\d{8,14}$/.test(value) && !validBarcode(value)) { refuse(t('stocktake.noSuchBarcode', { code: value })); return; }
    let entry;
    try {
      entry = await get('/admin/inventory/levels/lookup', { storeId: sheet.storeId, code: value });
    } catch (error) {
      refuse(error.status === 404 ? t('stocktake.noSuchBarcode', { code: value }) : errorText(error));
      return;
    }
    const line = sheet.lines.find((l) => String(l.skuId).toUpperCase() === String(entry.skuId).toUpperCase());
    target = {
      line: { skuId: entry.skuId }, skuId: entry.skuId,
      text: [entry.skuCode, entry.productTitle, entry.specTitle].filter(Boolean).join(' '),
      counted: line ? line.counted : null,
    };
    found.textContent = target.counted === null
      ? t('stocktake.foundNew', { item: target.text })
      : t('stocktake.foundCounted', { item: target.text, counted: target.counted });
    count.disabled = false;
    count.value = '';
    count.focus();
  };

  const save = async () => {
    if (!target || count.value.trim() === '') return;
    const quantity = Number(count.value);
    try {
      const next = await busy(count, () => post(`/admin/stocktakes/${sheet.id}/counts`, { mode: mode.value, lines: [{ ...target.line, quantity }] }));
      const { skuId } = target;
      sheet = next;
      update(next, skuId);
      announce(t('stocktake.saved', { item: target.text, quantity }));
      target = null;
      code.value = '';
      count.value = '';
      count.disabled = true;
      found.textContent = '';
      code.focus();
    } catch (error) {
      found.classList.add('scan-error');
      found.textContent = (error.errors && error.errors.length) ? error.errors.map((e) => e.message).join('; ') : errorText(error);
      code.select();
      code.focus();
    }
  };

  code.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); lookUp(); } });
  count.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); save(); }
    if (e.key === 'Escape') { e.preventDefault(); code.select(); code.focus(); }
  });

  return h('section', { class: 'card count-entry' }, h('h2', { text: t('stocktake.enterCounts') }),
    h('p', { class: 'field-help', text: t('stocktake.scanHelp') }),
    h('div', { class: 'form-grid' },
      h('div', { class: 'field' }, h('label', { for: codeId, text: t('field.barcodeOrCode') }), code),
      h('div', { class: 'field' }, h('label', { for: countId, text: t('stocktake.count') }), count),
      h('div', { class: 'field' }, h('label', { for: modeId, text: t('stocktake.mode') }), mode)),
    found,
    h('div', { class: 'actions-row' }, button(t('stocktake.find'), lookUp), button(t('action.save'), save, { kind: 'primary' })));
}

function sheetActions(sheet) {
  const step = (text, path, question, kind) => button(text, async (event) => {
    // currentTarget is gone once the dialog has been awaited.
    const node = event.currentTarget;
    if (!(await confirmDialog(text, question))) return;
    try {
      await busy(node, () => api(`/admin/stocktakes/${sheet.id}/${path}`, { method: 'POST' }));
      location.reload();
    } catch (error) {
      announce(errorText(error), 'error');
    }
  }, { kind });
  return h('div', { class: 'actions-row' },
    step(t('stocktake.post'), 'post', t('stocktake.postConfirm'), 'primary'),
    step(t('stocktake.cancel'), 'cancel', t('stocktake.cancelConfirm'), 'danger'));
}
