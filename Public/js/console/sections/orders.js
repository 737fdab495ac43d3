import { context, canAtStore, can } from '../context.js';
import { get, post, apiUrl } from '../api.js';
import { add, h, append, pageHeader, badge, link, facts, errorNotice, button, busy, announce, subnav, clear } from '../dom.js';
import { createTable } from '../table.js';
import { t, money, dateTime, label, number, distance } from '../i18n.js';
import { storeFilter, formDialog, reasonDialog, shipmentFields, wireShipmentForm, storeOptions } from '../widgets.js';
import { createForm } from '../form.js';

const statuses = ['paid', 'awaiting_reallocation', 'accepted', 'picking', 'ready_for_pickup', 'shipped', 'delivered', 'picked_up', 'completed', 'pending_payment', 'cancelled', 'expired'];

export async function render(root, { id, params }) {
  if (id) return renderDetail(root, id);
  return renderList(root, params);
}

function renderList(root, params) {
  const current = params.get('status') || '';
  const tabs = subnav(t('orders.byStatus'), [{ key: '', label: t('filter.all'), href: '/console/orders' },
    ...statuses.map((s) => ({ key: s, label: label('orderStatus', s), href: `/console/orders?status=${s}` }))], current);
  const table = createTable({
    caption: current ? t('orders.captionStatus', { status: label('orderStatus', current) }) : t('orders.caption'),
    endpoint: '/admin/orders',
    sortFields: ['number', 'createdAt', 'status', 'fulfilment', 'payableFen', 'paidAt'],
    baseParams: current ? { status: current } : {},
    envelope: (data) => data.orders,
    syncUrl: true,
    keepUrlParams: ['status'],
    filters: [
      ...storeFilter(),
      { name: 'number', label: t('field.orderNumber') },
      { name: 'phone', label: t('field.phone'), type: 'tel' },
      { name: 'from', label: t('field.from'), type: 'datetime' },
      { name: 'to', label: t('field.to'), type: 'datetime' },
    ],
    columns: [
      { key: 'number', label: t('field.orderNumber'), render: (o) => link(`/console/orders/${o.id}`, o.number) },
      { key: 'createdAt', label: t('field.createdAt'), render: (o) => dateTime(o.createdAt) },
      { key: 'storeName', label: t('field.store') },
      { key: 'fulfilment', label: t('field.fulfilment'), render: (o) => label('fulfilment', o.fulfilment) },
      { key: 'status', label: t('field.status'), render: (o) => badge('orderStatus', o.status) },
      { key: 'lines', label: t('field.items'), align: 'num', render: (o) => number(o.lines.reduce((n, l) => n + l.quantity, 0)) },
      { key: 'payableFen', label: t('field.payable'), align: 'num', render: (o) => money(o.payableFen) },
    ],
    // The tabs show how many orders wait in each status, from the same call as the page.
    onLoad: (data) => {
      const counts = data.countsByStatus || {};
      for (const a of tabs.querySelectorAll('a')) {
        const status = new URL(a.href).searchParams.get('status');
        if (!status) continue;
        a.querySelector('.count')?.remove();
        if (counts[status]) a.append(h('span', { class: 'count', text: number(counts[status]) }));
      }
    },
  });
  add(root, pageHeader(t('orders.title')), tabs, table.element);
  table.reload();
}

async function renderDetail(root, id) {
  let staffOrder;
  try {
    staffOrder = await get(`/admin/orders/${id}`);
  } catch (error) {
    add(root, pageHeader(t('orders.detail')), link('/console/orders', t('action.back')), errorNotice(error));
    return;
  }
  const redraw = (next) => {
    clear(root);
    drawDetail(root, next, redraw);
    root.querySelector('h1')?.focus();
  };
  drawDetail(root, staffOrder, redraw);
}

function drawDetail(root, staffOrder, redraw) {
  const { order, allocation } = staffOrder;
  const title = h('h1', { tabindex: '-1' }, t('orders.detailTitle', { number: order.number }), ' ', badge('orderStatus', order.status));
  append(root, [
    h('p', { class: 'breadcrumb' }, link('/console/orders', t('orders.title'))),
    h('header', { class: 'page-header' }, title,
      h('div', { class: 'page-actions' },
        link(apiUrl(`/admin/orders/${order.id}/slip`), t('orders.printSlip'), { class: 'btn', target: '_blank', rel: 'noopener' }),
        link(apiUrl(`/admin/orders/${order.id}/slip`, { format: 'receipt' }), t('orders.printReceipt'), { class: 'btn', target: '_blank', rel: 'noopener' }))),
    actionBar(staffOrder, redraw),
    h('div', { class: 'detail-grid' },
      h('section', { class: 'card' }, h('h2', { text: t('orders.summary') }), facts([
        [t('field.store'), order.storeName],
        [t('field.fulfilment'), label('fulfilment', order.fulfilment)],
        [t('field.createdAt'), dateTime(order.createdAt)],
        [t('field.paidAt'), dateTime(order.paidAt)],
        [t('field.paymentDueAt'), order.status === 'pending_payment' ? dateTime(order.paymentDueAt) : ''],
        [t('field.goods'), money(order.goodsFen)],
        [t('field.discount'), order.discountFen ? money(-order.discountFen) : ''],
        [t('field.shipping'), money(order.shippingFen)],
        [t('field.payable'), money(order.payableFen)],
        [t('field.refunded'), order.refundedFen ? money(order.refundedFen) : ''],
        [t('field.carrier'), staffOrder.carrier],
        [t('field.trackingNumber'), staffOrder.trackingNumber],
      ])),
      timeline(order)),
    linesTable(order),
    shipments(order),
    allocationPanel(allocation)]);
}

function linesTable(order) {
  const caption = t('orders.lines');
  return h('section', { class: 'card' }, h('h2', { text: caption }),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
      h('table', { class: 'data' }, h('caption', { class: 'visually-hidden', text: caption }),
        h('thead', {}, h('tr', {}, [t('field.product'), t('field.spec'), t('field.quantity'), t('field.unitPrice'), t('field.discount'), t('field.payable')]
          .map((x, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : null, text: x })))),
        h('tbody', {}, order.lines.map((l) => h('tr', {},
          h('th', { scope: 'row', text: l.title }), h('td', { text: l.specTitle }),
          h('td', { class: 'num', text: number(l.quantity) }), h('td', { class: 'num', text: money(l.unitPriceFen) }),
          h('td', { class: 'num', text: l.discountFen ? money(-l.discountFen) : '' }), h('td', { class: 'num', text: money(l.payableFen) })))))));
}

function timeline(order) {
  return h('section', { class: 'card' }, h('h2', { text: t('orders.timeline') }),
    h('ol', { class: 'timeline' }, order.timeline.map((e) => h('li', {},
      h('time', { datetime: e.at, text: dateTime(e.at) }), ' ',
      h('span', { text: t('orders.transition', { from: label('orderStatus', e.from), to: label('orderStatus', e.to) }) }),
      ' ', h('span', { class: 'muted', text: label('actor', e.actor) }),
      e.note ? h('p', { class: 'timeline-note', text: e.note }) : null))));
}

function shipments(order) {
  if (!order.shipments || !order.shipments.length) return null;
  return h('section', { class: 'card' }, h('h2', { text: t('orders.shipments') }),
    order.shipments.map((s) => h('div', { class: 'shipment' },
      h('h3', {}, `${s.carrierName} ${s.trackingNumber || ''}`, s.state ? [' ', badge('trackingState', s.state)] : null),
      s.courierName ? h('p', { text: `${s.courierName} ${s.courierPhone || ''}` }) : null,
      s.events.length ? h('ol', { class: 'timeline' }, s.events.map((e) => h('li', {},
        h('time', { datetime: e.at, text: dateTime(e.at) }), ' ', e.description, e.location ? ` · ${e.location}` : ''))) : h('p', { class: 'muted', text: t('orders.noEvents') }))));
}

function allocationPanel(allocation) {
  if (!allocation) return null;
  const caption = t('orders.candidates');
  return h('section', { class: 'card' }, h('h2', { text: t('orders.allocation') }),
    h('p', { text: allocation.summary }),
    facts([[t('orders.allocationOutcome'), label('allocationOutcome', allocation.outcome)], [t('orders.attempt'), number(allocation.attempt)],
      [t('orders.fallbackToWarehouse'), allocation.fallbackToWarehouse ? t('common.yes') : '']]),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
      h('table', { class: 'data' }, h('caption', { text: caption }),
        h('thead', {}, h('tr', {}, [t('field.store'), t('field.kind'), t('orders.distance'), t('orders.outcome'), t('orders.explanation')]
          .map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, allocation.candidates.map((c) => {
          const chosen = c.outcome === 'chosen' || (c.outcome && typeof c.outcome === 'object' && 'chosen' in c.outcome);
          const outcomeKey = typeof c.outcome === 'string' ? c.outcome : Object.keys(c.outcome || {})[0];
          return h('tr', { class: chosen ? 'row-highlight' : null },
            h('th', { scope: 'row', text: c.name }), h('td', { text: label('storeKind', c.kind) }),
            h('td', { text: distance(c.distanceMeters) }),
            h('td', {}, chosen ? badge('candidate', 'chosen') : label('candidate', outcomeKey)),
            h('td', { text: c.explanation }));
        })))));
}

/** Buttons for the steps the order's state allows and the staff member may take. */
function actionBar(staffOrder, redraw) {
  const { order } = staffOrder;
  const fulfil = canAtStore('order.fulfil', order.storeId, order.merchantId);
  const hqFulfil = context.grants.some((g) => (g.permissions || []).includes('order.fulfil') && (g.scope === 'platform' || g.scope === `merchant:${order.merchantId}`));
  const run = (path, body) => post(`/admin/orders/${order.id}/${path}`, body);
  const done = (message) => (next) => { if (next) { announce(message); redraw(next); } };
  const simple = (text, path, message, kind = 'primary') => button(text, async (event) => {
    try {
      done(message)(await busy(event.currentTarget, () => run(path)));
    } catch (error) {
      bar.append(errorNotice(error));
    }
  }, { kind });
  const actions = [];
  if (fulfil) {
    if (order.status === 'paid') {
      actions.push(simple(t('orders.accept'), 'accept', t('orders.accepted')));
      actions.push(button(t('orders.reject'), async () => {
        done(t('orders.rejected'))(await reasonDialog(t('orders.rejectTitle'), (v) => run('reject', v)));
      }, { kind: 'danger' }));
    }
    if (order.status === 'accepted') actions.push(simple(t('orders.pick'), 'pick', t('orders.picking')));
    if (order.status === 'picking' && order.fulfilment === 'delivery') {
      actions.push(button(t('orders.ship'), async () => {
        const fields = await shipmentFields();
        const result = await formDialogWithShipment(t('orders.shipTitle'), fields, (v) => run('ship', v));
        done(t('orders.shipped'))(result);
      }, { kind: 'primary' }));
    }
    if (order.status === 'picking' && order.fulfilment === 'pickup') actions.push(simple(t('orders.ready'), 'ready', t('orders.readyDone')));
    if (order.status === 'shipped') actions.push(simple(t('orders.delivered'), 'delivered', t('orders.deliveredDone'), ''));
  }
  if (hqFulfil && ['paid', 'accepted', 'awaiting_reallocation'].includes(order.status)) {
    actions.push(button(t('orders.reallocate'), async () => {
      const options = storeOptions({ all: false, exclude: [order.storeId], merchantId: order.merchantId });
      const result = await formDialog(t('orders.reallocateTitle'), {
        fields: [{ name: 'storeId', label: t('orders.reallocateTo'), type: 'select', required: order.status !== 'awaiting_reallocation',
          options: [{ value: '', label: order.status === 'awaiting_reallocation' ? t('orders.nextBest') : t('filter.choose') }, ...options] }],
        submitLabel: t('orders.reallocate'),
        onSubmit: (v) => run('reallocate', v),
      });
      done(t('orders.reallocated'))(result);
    }));
  }
  const bar = h('section', { class: 'card action-bar', 'aria-label': t('orders.actions') });
  if (fulfil && order.status === 'ready_for_pickup') bar.append(pickupForm(order, done(t('orders.pickedUp')), run));
  if (actions.length) bar.append(h('div', { class: 'actions-row' }, actions));
  if (!bar.childNodes.length) return can('order.fulfil') ? h('p', { class: 'muted', text: t('orders.noActions') }) : null;
  return bar;
}

function formDialogWithShipment(title, fields, onSubmit) {
  return formDialog(title, { fields, submitLabel: t('orders.ship'), onSubmit, setup: wireShipmentForm });
}

/** Pickup write-off: the counter staff types the shopper's code (or scans its QR payload). */
function pickupForm(order, done, run) {
  const form = createForm({
    fields: [{ name: 'code', label: t('orders.pickupCodeEntry'), required: true, autocomplete: 'off', inputmode: 'numeric', help: t('orders.pickupCodeHelp') }],
    submitLabel: t('orders.pickup'),
    aliases: { pickupCode: 'code' },
    className: 'compact-form',
    onSubmit: (v) => run('pickup', v),
    onSuccess: done,
  });
  return form.element;
}
