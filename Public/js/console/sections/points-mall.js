import { get, post, put } from '../api.js';
import { add, h, pageHeader, button, announce, badge, subnav, shortId, link } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, number } from '../i18n.js';
import { formDialog, storeOptions } from '../widgets.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A SKU id from what staff typed: an id as it is, else a SKU code or barcode looked up among the
 * SKUs of the chosen store's merchant. A miss is a field error on `field`.
 */
export async function resolveSku(typed, storeId, field = 'skuId') {
  const value = String(typed ?? '').trim();
  if (!value) return null;
  if (uuidPattern.test(value)) return value;
  try {
    return (await get('/admin/inventory/levels/lookup', { storeId, code: value })).skuId;
  } catch (error) {
    const failure = new Error(error.detail || t('mall.skuNotFound'));
    failure.status = 422;
    failure.errors = [{ field, message: error.detail || t('mall.skuNotFound') }];
    throw failure;
  }
}

export async function render(root, { params }) {
  const view = params.get('view') === 'redemptions' ? 'redemptions' : 'items';
  add(root, pageHeader(t('mall.title'), view === 'items' ? button(t('mall.new'), () => edit(null), { kind: 'primary' }) : null),
    subnav(t('mall.title'), [
      { key: 'items', href: '/console/points-mall', label: t('mall.items') },
      { key: 'redemptions', href: '/console/points-mall?view=redemptions', label: t('mall.redemptions') },
    ], view));
  let table;
  const stores = storeOptions({ all: false });

  async function edit(item) {
    const saved = await formDialog(item ? t('mall.editTitle', { title: item.title }) : t('mall.new'), {
      fields: [
        { name: 'title', label: t('mall.itemTitle'), required: true, value: item?.title, maxlength: 60 },
        { name: 'description', label: t('mall.description'), type: 'textarea', rows: 2, value: item?.description },
        { name: 'skuCode', label: t('mall.sku'), required: true, value: item?.skuId, help: item?.skuTitle ? `${t('mall.skuHelp')} (${item.skuTitle})` : t('mall.skuHelp') },
        { name: 'lookupStoreId', label: t('mall.lookupStore'), type: 'select', options: stores, help: t('mall.lookupStoreHelp') },
        { name: 'pricePoints', label: t('mall.pricePoints'), type: 'integer', required: true, min: 1, value: item?.pricePoints },
        { name: 'cashFen', label: t('mall.cash'), type: 'money', value: item?.cashFen ?? 0, help: t('mall.cashHelp') },
        { name: 'stock', label: t('mall.stock'), type: 'integer', required: true, min: 0, value: item?.stock, help: t('mall.stockHelp') },
        { name: 'perMemberLimit', label: t('mall.limit'), type: 'integer', min: 1, nullable: true, value: item?.perMemberLimit, help: t('mall.limitHelp') },
        { name: 'startsAt', label: t('mall.startsAt'), type: 'datetime', value: item?.startsAt },
        { name: 'endsAt', label: t('mall.endsAt'), type: 'datetime', value: item?.endsAt },
        { name: 'sortOrder', label: t('mall.sortOrder'), type: 'integer', min: 0, value: item?.sortOrder ?? 0 },
        { name: 'imageUrl', label: t('mall.imageUrl'), nullable: true, value: item?.imageUrl && !item.imageUrl.startsWith('/files/') ? item.imageUrl : '', help: t('mall.imageHelp') },
        { name: 'enabled', label: t('mall.enabled'), type: 'checkbox', value: item?.enabled ?? true },
      ],
      aliases: { skuId: 'skuCode' },
      onSubmit: async (v) => {
        const body = {
          kind: 'sku', title: v.title, description: v.description ?? '', imageUrl: v.imageUrl ?? null,
          skuId: await resolveSku(v.skuCode, v.lookupStoreId), pricePoints: v.pricePoints, cashFen: v.cashFen ?? 0, stock: v.stock,
          perMemberLimit: v.perMemberLimit ?? null, startsAt: v.startsAt ?? null, endsAt: v.endsAt ?? null, sortOrder: v.sortOrder ?? 0, enabled: v.enabled,
        };
        return item ? put(`/admin/points-mall/items/${item.id}`, body) : post('/admin/points-mall/items', body);
      },
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  }

  if (view === 'items') {
    table = createTable({
      caption: t('mall.items'),
      endpoint: '/admin/points-mall/items',
      sortFields: ['title', 'pricePoints', 'sortOrder', 'createdAt'],
      syncUrl: true,
      filters: [{ name: 'enabled', label: t('mall.enabled'), type: 'select', options: [
        { value: '', label: t('filter.all') }, { value: 'true', label: t('mall.on') }, { value: 'false', label: t('mall.off') }] }],
      columns: [
        { key: 'title', label: t('mall.itemTitle'), render: (i) => h('span', {}, h('strong', { text: i.title }), i.skuTitle ? h('br') : null, i.skuTitle ? h('span', { class: 'muted', text: i.skuTitle }) : null) },
        { key: 'pricePoints', label: t('mall.price'), render: (i) => `${number(i.pricePoints)} ${t('mall.points')}${i.cashFen > 0 ? ` + ${money(i.cashFen)}` : ''}` },
        { key: 'remaining', label: t('mall.stock'), render: (i) => `${number(i.remaining)} / ${number(i.stock)}` },
        { key: 'perMemberLimit', label: t('mall.limit'), render: (i) => (i.perMemberLimit ? number(i.perMemberLimit) : t('mall.noLimit')) },
        { key: 'window', label: t('mall.window'), render: (i) => [i.startsAt ? dateTime(i.startsAt) : '…', ' – ', i.endsAt ? dateTime(i.endsAt) : '…'].join('') },
        { key: 'availability', label: t('mall.availability'), render: (i) => badge('mallAvailability', i.availability) },
        { key: 'actions', label: t('table.actions'), action: true, render: (i) => button(t('action.edit'), () => edit(i), { 'aria-label': `${t('action.edit')} ${i.title}` }) },
      ],
    });
  } else {
    table = createTable({
      caption: t('mall.redemptions'),
      endpoint: '/admin/points-mall/redemptions',
      syncUrl: true,
      keepUrlParams: ['view'],
      columns: [
        { key: 'createdAt', label: t('mall.when'), render: (r) => dateTime(r.createdAt) },
        { key: 'itemTitle', label: t('mall.itemTitle') },
        { key: 'memberId', label: t('mall.member'), render: (r) => h('span', { class: 'mono', text: shortId(r.memberId) }) },
        { key: 'quantity', label: t('mall.quantity'), render: (r) => number(r.quantity) },
        { key: 'points', label: t('mall.points'), render: (r) => `${number(r.points)}${r.cashFen > 0 ? ` + ${money(r.cashFen)}` : ''}` },
        { key: 'status', label: t('mall.status'), render: (r) => badge('redemptionStatus', r.status) },
        { key: 'order', label: t('mall.order'), render: (r) => (r.orderId ? link(`/console/orders/${r.orderId}`, r.orderNumber || shortId(r.orderId)) : '') },
      ],
    });
  }
  add(root, table.element);
  table.reload();
}
