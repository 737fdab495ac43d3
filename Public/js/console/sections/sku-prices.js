import { context, can, canAtStore, merchantsWith } from '../context.js';
import { get, put, post, del, api } from '../api.js';
import { h, button, announce, openDialog, clear, errorNotice, badge, stackOnPhone } from '../dom.js';
import { createForm } from '../form.js';
import { t, money, dateTime, number } from '../i18n.js';
import { storeCell } from '../widgets.js';

const merchantStores = (merchantId) => context.stores.filter((s) => String(s.merchantId).toUpperCase() === String(merchantId).toUpperCase());

/**
 * A small table; rows are arrays of cells, the first one naming the row. The caption is for
 * screen readers only: the section's heading above already says the same on screen.
 */
function listTable(caption, heads, rows, emptyText) {
  if (!rows.length) return h('p', { class: 'muted', text: emptyText });
  return stackOnPhone(h('table', { class: 'data compact' },
    h('caption', { class: 'visually-hidden', text: caption }),
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col', text: x })))),
    h('tbody', {}, rows.map(([first, ...rest]) => h('tr', {}, h('th', { scope: 'row' }, first), rest.map((c) => h('td', {}, c)))))));
}

let levelsPromise = null;
function memberLevels() {
  if (!levelsPromise) levelsPromise = get('/member-levels').catch(() => []);
  return levelsPromise;
}

/**
 * One SKU's price book in a dialog: store prices, member-level prices and planned prices, each
 * listed with a remove button and an add form. Every change reloads the book from the server.
 */
async function openPriceBook(product, sku) {
  const editable = can('catalog.edit');
  const stores = merchantStores(product.merchantId);
  const levels = await memberLevels();
  const levelName = (code) => levels.find((l) => l.code === code)?.name || code;
  const body = h('div', { class: 'price-book', 'aria-live': 'polite' });
  const base = `/admin/skus/${sku.id}`;
  const removeButton = (text, name, work) => (editable ? button(text, async () => { await work(); announce(t('prices.removed')); await load(); }, { 'aria-label': name }) : null);
  const section = (title, content, form) => h('section', { class: 'price-book-part' }, h('h3', { text: title }), content, editable ? form : null);

  async function load() {
    let book;
    try {
      book = await get(`${base}/prices`);
    } catch (error) {
      clear(body).append(errorNotice(error));
      return;
    }
    const storeOptions = stores.map((s) => ({ value: s.id, label: `${s.code} ${s.name}` }));
    const storeForm = createForm({
      className: 'inline-form-grid',
      fields: [
        { name: 'storeId', label: t('field.store'), type: 'select', required: true, options: [{ value: '', label: t('filter.choose') }, ...storeOptions] },
        { name: 'priceFen', label: t('prices.price'), type: 'money', required: true },
      ],
      submitLabel: t('prices.setStorePrice'),
      onSubmit: (v) => put(`${base}/store-prices/${v.storeId}`, { priceFen: v.priceFen }),
      onSuccess: async () => { announce(t('common.saved')); await load(); },
    });
    const levelForm = createForm({
      className: 'inline-form-grid',
      fields: [
        { name: 'level', label: t('prices.level'), type: 'select', required: true, options: [{ value: '', label: t('filter.choose') }, ...levels.map((l) => ({ value: l.code, label: l.name }))] },
        { name: 'discountPercent', label: t('prices.discountPercent'), type: 'number', min: 0.01, max: 100, step: '0.01', value: 100, help: t('prices.discountHelp') },
        { name: 'fixedPriceFen', label: t('prices.fixedPrice'), type: 'money', nullable: true },
      ],
      aliases: { discountBasisPoints: 'discountPercent' },
      submitLabel: t('prices.setLevelPrice'),
      onSubmit: (v) => put(`${base}/level-prices/${encodeURIComponent(v.level)}`, {
        discountBasisPoints: Math.round((v.discountPercent ?? 100) * 100), fixedPriceFen: v.fixedPriceFen ?? undefined,
      }),
      onSuccess: async () => { announce(t('common.saved')); await load(); },
    });
    const plannedForm = createForm({
      className: 'inline-form-grid',
      fields: [
        { name: 'effectiveFrom', label: t('prices.effectiveFrom'), type: 'datetime', required: true },
        { name: 'storeId', label: t('field.store'), type: 'select', options: [{ value: '', label: t('prices.everyStore') }, ...storeOptions] },
        { name: 'priceFen', label: t('prices.price'), type: 'money', required: true },
      ],
      submitLabel: t('prices.schedule'),
      onSubmit: (v) => post(`${base}/scheduled-prices`, { effectiveFrom: v.effectiveFrom, priceFen: v.priceFen, storeId: v.storeId || undefined }),
      onSuccess: async () => { announce(t('common.saved')); await load(); },
    });
    clear(body).append(
      h('p', {}, t('prices.listPrice', { price: money(book.priceFen) })),
      section(t('prices.storePrices'), listTable(t('prices.storePrices'), [t('field.store'), t('prices.price'), editable ? t('table.actions') : null].filter(Boolean),
        book.storePrices.map((p) => [storeCell(p.storeId), money(p.priceFen),
          removeButton(t('action.remove'), t('prices.removeStoreNamed', { store: storeCell(p.storeId) }), () => put(`${base}/store-prices/${p.storeId}`, { priceFen: null }))].filter((c) => c !== null)),
        t('prices.noStorePrices')), storeForm.element),
      section(t('prices.levelPrices'), listTable(t('prices.levelPrices'), [t('prices.level'), t('prices.discountPercent'), t('prices.fixedPrice'), editable ? t('table.actions') : null].filter(Boolean),
        book.levelPrices.map((p) => [levelName(p.level), `${number(p.discountBasisPoints / 100)}%`, p.fixedPriceFen === undefined || p.fixedPriceFen === null ? '' : money(p.fixedPriceFen),
          removeButton(t('action.remove'), t('prices.removeLevelNamed', { level: levelName(p.level) }), () => del(`${base}/level-prices/${encodeURIComponent(p.level)}`))].filter((c) => c !== null)),
        t('prices.noLevelPrices')), levelForm.element),
      section(t('prices.scheduled'), listTable(t('prices.scheduled'), [t('prices.effectiveFrom'), t('field.store'), t('prices.price'), editable ? t('table.actions') : null].filter(Boolean),
        book.scheduledPrices.map((p) => [dateTime(p.effectiveFrom), p.storeId ? storeCell(p.storeId) : t('prices.everyStore'), money(p.priceFen),
          removeButton(t('action.remove'), t('prices.removePlannedNamed', { at: dateTime(p.effectiveFrom) }), () => del(`${base}/scheduled-prices/${p.id}`))].filter((c) => c !== null)),
        t('prices.noScheduled')), plannedForm.element));
  }
  await load();
  await openDialog(t('prices.dialogTitle', { sku: sku.code || product.title }), body);
}

/** The product's SKUs, each with a button opening its price book. */
export function pricesCard(product) {
  const skus = product.skus.filter((s) => s.id);
  // Prices belong to the merchant: a store's staff cannot read them (the API answers 403).
  const merchants = merchantsWith('catalog.view');
  if (!skus.length || (merchants !== null && !merchants.includes(String(product.merchantId).toUpperCase()))) return null;
  return h('section', { class: 'card sku-prices' },
    h('h2', { text: t('prices.title') }),
    h('p', { class: 'field-help', text: t('prices.help') }),
    listTable(t('prices.title'), [t('field.skuCode'), t('catalog.combination'), t('prices.price'), t('table.actions')],
      skus.map((s) => [h('span', { class: 'mono', text: s.code }), s.specTitle || t('catalog.singleSku'), money(s.priceFen),
        button(t('prices.open'), () => openPriceBook(product, s), { 'aria-label': t('prices.openNamed', { sku: s.code }) })]),
      ''));
}

/**
 * Selling the product store by store: staff who manage a store stop (or resume) it there while
 * the merchant-wide shelf stays as it is.
 */
export function listingCard(product) {
  const stores = merchantStores(product.merchantId).filter((s) => canAtStore('store.manage', s.id, s.merchantId));
  if (!stores.length) return null;
  let delisted = new Set((product.delistedStoreIds || []).map((id) => String(id).toUpperCase()));
  const body = h('div', { 'aria-live': 'polite' });
  const draw = () => {
    clear(body).append(listTable(t('listing.title'), [t('field.store'), t('field.status'), t('table.actions')],
      stores.map((s) => {
        const hidden = delisted.has(String(s.id).toUpperCase());
        return [s.name, badge('listingState', hidden ? 'delisted' : 'listed'),
          button(hidden ? t('listing.relist') : t('listing.delist'), async () => {
            try {
              const saved = await api(`/admin/products/${product.id}/stores/${s.id}/listing`, { method: 'PUT', body: { listed: hidden } });
              delisted = new Set((saved.delistedStoreIds || []).map((id) => String(id).toUpperCase()));
              announce(hidden ? t('listing.relisted', { store: s.name }) : t('listing.delisted', { store: s.name }));
              draw();
            } catch (error) {
              announce(error.detail || error.title, 'error');
            }
          }, { kind: hidden ? 'primary' : '', 'aria-label': t(hidden ? 'listing.relistNamed' : 'listing.delistNamed', { store: s.name }) })];
      }), ''));
  };
  draw();
  return h('section', { class: 'card store-listing' }, h('h2', { text: t('listing.title') }), h('p', { class: 'field-help', text: t('listing.help') }), body);
}
