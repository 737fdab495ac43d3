import { merchantsWith, merchantIdsInReach, can } from '../context.js';
import { get, put, del } from '../api.js';
import { add, h, pageHeader, button, announce, notice, clear, uid, errorNotice, link, stackOnPhone } from '../dom.js';
import { createForm, fenToYuan, yuanToFen } from '../form.js';
import { t, label, money } from '../i18n.js';
import { loadMerchants, merchantLabel, confirmDialog } from '../widgets.js';

const modes = ['free', 'flat', 'distance'];
const maxBands = 10;

/**
 * Distance bands as editable rows (up to N metres → fee). `read()` gives the API's bands and
 * adds local errors; `resolve` puts `bands[1].feeFen` from the server on its input.
 */
function bandsEditor(initial) {
  const rows = [];
  const body = h('tbody');
  const captionId = uid('bands');
  const table = h('table', { class: 'data compact', 'aria-labelledby': captionId },
    h('thead', {}, h('tr', {}, [t('shipping.upToMeters'), t('shipping.bandFee'), t('table.actions')].map((x) => h('th', { scope: 'col', text: x })))),
    body);
  const addButton = button(t('shipping.addBand'), () => addRow({}).meters.focus());
  function addRow(band) {
    const n = rows.length + 1;
    const row = {
      meters: h('input', { id: uid('band-m'), type: 'number', min: 1, max: 100000, step: 1, value: band.upToMeters ?? '', 'aria-label': t('shipping.bandMeters', { n }) }),
      fee: h('input', { id: uid('band-f'), type: 'text', inputmode: 'decimal', value: fenToYuan(band.feeFen), 'aria-label': t('shipping.bandFeeN', { n }) }),
    };
    row.element = h('tr', {}, h('td', {}, row.meters), h('td', {}, row.fee), h('td', { class: 'cell-actions' },
      button(t('action.remove'), () => { rows.splice(rows.indexOf(row), 1); row.element.remove(); sync(); }, { 'aria-label': t('action.removeLine', { n }) })));
    rows.push(row);
    body.append(row.element);
    stackOnPhone(table);
    sync();
    return row;
  }
  const sync = () => { addButton.disabled = rows.length >= maxBands; };
  (initial.length ? initial : [{}]).forEach(addRow);
  const element = h('fieldset', { class: 'lines-editor shipping-bands' },
    h('legend', { id: captionId, text: t('shipping.bands') }),
    h('p', { class: 'field-help', text: t('shipping.bandsHelp') }),
    h('div', { class: 'table-scroll' }, table), addButton);
  return {
    element,
    read(errors) {
      return rows.map((r, i) => {
        const feeFen = yuanToFen(r.fee.value);
        if (r.meters.value.trim() === '') errors.push({ field: `bands[${i}].upToMeters`, message: t('form.required') });
        if (feeFen === null) errors.push({ field: `bands[${i}].feeFen`, message: t('form.required') });
        else if (Number.isNaN(feeFen)) errors.push({ field: `bands[${i}].feeFen`, message: t('form.badMoney') });
        return { upToMeters: Number(r.meters.value), feeFen };
      });
    },
    resolve(name) {
      const m = /^bands(?:\[(\d+)\](?:\.(\w+))?)?/.exec(name);
      if (!m) return null;
      const row = rows[Number(m[1] ?? 0)];
      if (!row) return { input: addButton, label: t('shipping.bands') };
      return m[2] === 'feeFen' ? { input: row.fee, label: t('shipping.bandFeeN', { n: Number(m[1]) + 1 }) } : { input: row.meters, label: t('shipping.bandMeters', { n: Number(m[1] ?? 0) + 1 }) };
    },
  };
}

function ruleSummary(rule) {
  const parts = [label('shippingMode', rule.mode)];
  if (rule.mode === 'flat') parts.push(money(rule.flatFeeFen));
  if (rule.mode === 'distance') parts.push(rule.bands.map((b) => t('shipping.bandSummary', { meters: b.upToMeters, fee: money(b.feeFen) })).join(', '));
  if (rule.freeAboveFen) parts.push(t('shipping.freeAbove', { amount: money(rule.freeAboveFen) }));
  return parts.join(' · ');
}

async function renderRule(panel, merchantId) {
  clear(panel);
  let rule;
  try {
    rule = await get(`/admin/merchants/${merchantId}/shipping-rule`);
  } catch (error) {
    panel.append(errorNotice(error));
    return;
  }
  const editable = (merchantsWith('store.manage') ?? [merchantId.toUpperCase()]).includes(merchantId.toUpperCase());
  panel.append(h('p', { class: 'shipping-current' }, h('strong', { text: t('shipping.current') }), ' ', ruleSummary(rule)));
  if (rule.isDefault) panel.append(notice(t('shipping.usingDefault')));
  if (!editable) { panel.append(notice(t('common.readOnly'))); return; }
  const bands = bandsEditor(rule.mode === 'distance' ? rule.bands : []);
  const form = createForm({
    fields: [
      { name: 'mode', label: t('shipping.mode'), type: 'select', value: rule.mode, options: modes.map((m) => ({ value: m, label: label('shippingMode', m) })) },
      { name: 'flatFeeFen', label: t('shipping.flatFee'), type: 'money', value: rule.mode === 'flat' ? rule.flatFeeFen : null },
      { name: 'freeAboveFen', label: t('shipping.freeAboveField'), type: 'money', nullable: true, value: rule.freeAboveFen, help: t('shipping.freeAboveHelp') },
    ],
    extra: bands.element,
    resolveExtra: (name) => bands.resolve(name),
    validate: (v) => {
      const errors = [];
      if (v.mode === 'flat' && v.flatFeeFen === undefined) errors.push({ field: 'flatFeeFen', message: t('form.required') });
      if (v.mode === 'distance') bands.read(errors);
      return errors;
    },
    onSubmit: (v) => put(`/admin/merchants/${merchantId}/shipping-rule`, {
      mode: v.mode,
      flatFeeFen: v.mode === 'flat' ? v.flatFeeFen : undefined,
      bands: v.mode === 'distance' ? bands.read([]) : undefined,
      freeAboveFen: v.freeAboveFen ?? undefined,
    }),
    onSuccess: async () => { announce(t('common.saved')); await renderRule(panel, merchantId); },
  });
  const mode = form.input('mode');
  const syncMode = () => {
    form.input('flatFeeFen').closest('.field').hidden = mode.value !== 'flat';
    bands.element.hidden = mode.value !== 'distance';
  };
  mode.addEventListener('change', syncMode);
  syncMode();
  panel.append(form.element);
  if (!rule.isDefault) {
    panel.append(h('div', { class: 'form-actions' }, button(t('shipping.useDefault'), async () => {
      if (!(await confirmDialog(t('shipping.useDefault'), t('shipping.useDefaultConfirm')))) return;
      await del(`/admin/merchants/${merchantId}/shipping-rule`);
      announce(t('common.saved'));
      await renderRule(panel, merchantId);
    })));
  }
}

// Each merchant's delivery charge (free, flat, or by distance band from the fulfilling store),
// reached from the stores list. The shop-wide default lives in settings.
export async function render(root, { params }) {
  const directory = await loadMerchants();
  const ids = can('merchant.view') && merchantsWith('merchant.view') === null
    ? [...directory.keys()]
    : [...new Set([...(merchantsWith('merchant.view') || []), ...merchantIdsInReach().map((id) => String(id).toUpperCase())])];
  const panel = h('div', { class: 'shipping-rule' });
  const pickerId = uid('merchant');
  const picker = h('select', { id: pickerId, onchange: () => { history.replaceState(null, '', `?merchant=${picker.value}`); renderRule(panel, picker.value); } },
    ids.map((id) => h('option', { value: id, selected: id === (params.get('merchant') || '').toUpperCase() }, merchantLabel(id, directory))));
  add(root, h('p', { class: 'breadcrumb' }, link('/console/stores', t('stores.title'))),
    pageHeader(t('shipping.title')),
    h('section', { class: 'card' },
      ids.length > 1 ? h('div', { class: 'field' }, h('label', { for: pickerId, text: t('field.merchant') }), picker) : null,
      panel));
  if (ids.length) await renderRule(panel, picker.value || ids[0]);
  else panel.append(notice(t('shipping.noMerchant')));
}
