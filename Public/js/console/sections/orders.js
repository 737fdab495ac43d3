import { context, canAtStore, can } from '../context.js';
import { get, post, apiUrl } from '../api.js';
import { add, h, append, pageHeader, badge, link, facts, errorNotice, button, busy, announce, subnav, clear, stackOnPhone } from '../dom.js';
import { createTable } from '../table.js';
import { t, money, dateTime, label, number, distance, has } from '../i18n.js';
import { storeFilter, formDialog, reasonDialog, shipmentFields, wireShipmentForm, carrierName } from '../widgets.js';
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
    // Status and amount follow the number: on a phone they are in view before the table scrolls.
    columns: [
      { key: 'number', label: t('field.orderNumber'), render: (o) => link(`/console/orders/${o.id}`, o.number) },
      { key: 'status', label: t('field.status'), render: (o) => badge('orderStatus', o.status) },
      { key: 'payableFen', label: t('field.payable'), align: 'num', render: (o) => money(o.payableFen) },
      { key: 'createdAt', label: t('field.createdAt'), nowrap: true, render: (o) => dateTime(o.createdAt) },
      { key: 'storeName', label: t('field.store'), nowrap: true },
      { key: 'fulfilment', label: t('field.fulfilment'), nowrap: true, render: (o) => label('fulfilment', o.fulfilment) },
      { key: 'lines', label: t('field.items'), align: 'num', render: (o) => number(o.lines.reduce((n, l) => n + l.quantity, 0)) },
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
      recipientCard(staffOrder),
      timeline(order)),
    linesTable(order),
    shipments(order),
    allocationPanel(allocation, order)]);
}

/** Where a delivery goes: the shopper's address as it stood at checkout. */
function deliveryAddressOf(staffOrder) {
  const raw = staffOrder.order.deliveryAddress;
  if (!raw) return null;
  return {
    name: raw.contactName,
    phone: raw.phone,
    // Municipalities repeat themselves (上海市 上海市): each part once.
    address: [raw.province, raw.city, raw.district, raw.detail].filter((part, i, parts) => part && part !== parts[i - 1]).join(' '),
    city: raw.city,
    latitude: raw.latitude ?? null,
    longitude: raw.longitude ?? null,
  };
}

function recipientCard(staffOrder) {
  if (staffOrder.order.fulfilment !== 'delivery') return null;
  const address = deliveryAddressOf(staffOrder);
  if (!address) return null;
  return h('section', { class: 'card' }, h('h2', { text: t('orders.recipient') }), facts([
    [t('orders.recipientName'), address.name],
    [t('field.phone'), link(`tel:${address.phone.replace(/[^\d+]/g, '')}`, address.phone)],
    [t('orders.deliveryAddress'), address.address],
  ]));
}

function linesTable(order) {
  const caption = t('orders.lines');
  return h('section', { class: 'card' }, h('h2', { text: caption }),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
      stackOnPhone(h('table', { class: 'data' }, h('caption', { class: 'visually-hidden', text: caption }),
        h('thead', {}, h('tr', {}, [t('field.product'), t('field.spec'), t('field.quantity'), t('field.unitPrice'), t('field.discount'), t('field.payable')]
          .map((x, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : null, text: x })))),
        h('tbody', {}, order.lines.map((l) => h('tr', {},
          h('th', { scope: 'row', text: l.title }), h('td', { text: l.specTitle }),
          h('td', { class: 'num', text: number(l.quantity) }), h('td', { class: 'num', text: money(l.unitPriceFen) }),
          h('td', { class: 'num', text: l.discountFen ? money(-l.discountFen) : '' }), h('td', { class: 'num', text: money(l.payableFen) }))))))));
}

// Entries that change nothing about the status (placing, moving to another store, a late
// payment) are events; their notes are the server's fixed English phrases.
const timelineEvents = [
  [/^order placed$/, () => t('orders.event.placed')],
  [/^moved by the shopper$|^pickup moved by the shopper$/, () => t('orders.event.movedByShopper')],
  [/^moved by (.+)$/, (m) => t('orders.event.movedBy', { name: m[1] })],
  [/^second payment (\S+) refunded$/, (m) => t('orders.event.secondPaymentRefunded', { reference: m[1] })],
  [/^payment (\S+) arrived after the order was (\w+); refunded$/, (m) => t('orders.event.latePaymentRefunded', { reference: m[1], status: label('orderStatus', m[2]) })],
];

function timelineEvent(entry) {
  for (const [pattern, text] of timelineEvents) {
    const m = pattern.exec(entry.note || '');
    if (m) return { text: text(m), noteShown: true };
  }
  return entry.note ? { text: entry.note, noteShown: true } : { text: label('orderStatus', entry.to), noteShown: false };
}

function timeline(order) {
  return h('section', { class: 'card' }, h('h2', { text: t('orders.timeline') }),
    h('ol', { class: 'timeline' }, order.timeline.map((e) => {
      const same = e.from === e.to;
      const event = same ? timelineEvent(e) : null;
      return h('li', {},
        h('time', { datetime: e.at, text: dateTime(e.at) }), ' ',
        h('span', { text: same ? event.text : t('orders.transition', { from: label('orderStatus', e.from), to: label('orderStatus', e.to) }) }),
        ' ', h('span', { class: 'muted', text: label('actor', e.actor) }),
        e.note && !(same && event.noteShown) ? h('p', { class: 'timeline-note', text: e.note }) : null);
    })));
}

function shipments(order) {
  if (!order.shipments || !order.shipments.length) return null;
  return h('section', { class: 'card' }, h('h2', { text: t('orders.shipments') }),
    order.shipments.map((s) => h('div', { class: 'shipment' },
      h('h3', {}, `${carrierName({ code: s.carrierCode, name: s.carrierName })} ${s.trackingNumber || ''}`, s.state ? [' ', badge('trackingState', s.state)] : null),
      s.courierName ? h('p', { text: `${s.courierName} ${s.courierPhone || ''}` }) : null,
      s.events.length ? h('ol', { class: 'timeline' }, s.events.map((e) => h('li', {},
        h('time', { datetime: e.at, text: dateTime(e.at) }), ' ', e.description, e.location ? ` · ${e.location}` : ''))) : h('p', { class: 'muted', text: t('orders.noEvents') }))));
}

const outcomeKey = (c) => (typeof c.outcome === 'string' ? c.outcome : Object.keys(c.outcome || {})[0]);

/**
 * Why a candidate was or was not used, in the console's language, from the structured outcome
 * (`{"rejected": {"_0": {"outOfRadius": {...}}}}`); the server's English sentence otherwise.
 */
function explanation(c) {
  const kind = outcomeKey(c);
  if (kind !== 'rejected') return has(`candidateWhy.${kind}`) ? t(`candidateWhy.${kind}`) : c.explanation;
  const reason = c.outcome.rejected && (c.outcome.rejected._0 || c.outcome.rejected);
  const key = reason && Object.keys(reason)[0];
  const figures = (key && reason[key]) || {};
  switch (key) {
    case 'outOfRadius': return t('rejection.outOfRadius', { distance: distance(figures.distanceMeters), radius: distance(figures.radiusMeters) });
    case 'capacityFull': return t('rejection.capacityFull', { orders: number(figures.ordersToday), capacity: number(figures.dailyCapacity) });
    case 'notOpeningSoon': return figures.minutesUntilOpen === undefined || figures.minutesUntilOpen === null
      ? t('rejection.neverOpens') : t('rejection.notOpeningSoon', { minutes: number(figures.minutesUntilOpen) });
    case 'insufficientStock': {
      const missing = Array.isArray(figures.missing) ? figures.missing : [];
      return t('rejection.insufficientStock', { units: number(missing.reduce((n, l) => n + (l.quantity || 0), 0)), lines: number(missing.length) });
    }
    default: return key && has(`rejection.${key}`) ? t(`rejection.${key}`) : c.explanation;
  }
}

/**
 * The allocation as it stands. The stored plan names the store it first chose; HQ may have
 * moved the order since, so the row marked current is the order's store, and the plan's own
 * choice, when different, is marked as the first choice.
 */
function allocationPanel(allocation, order) {
  if (!allocation) return null;
  const caption = t('orders.candidates');
  const planned = new Set((allocation.shipments || []).map((s) => String(s.storeId).toUpperCase()));
  const current = String(order.storeId).toUpperCase();
  const candidates = allocation.candidates || [];
  const listed = candidates.some((c) => String(c.storeId).toUpperCase() === current);
  const moved = !planned.has(current);
  return h('section', { class: 'card' }, h('h2', { text: t('orders.allocation') }),
    h('p', { text: allocation.summary }),
    facts([
      [t('orders.currentStore'), order.storeName],
      [t('orders.allocationOutcome'), label('allocationOutcome', allocation.outcome)],
      [t('orders.attempt'), number(allocation.attempt)],
      [t('orders.fallbackToWarehouse'), allocation.fallbackToWarehouse ? t('common.yes') : ''],
    ]),
    moved ? h('p', { class: 'notice' }, t('orders.movedSincePlan', { store: order.storeName })) : null,
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
      stackOnPhone(h('table', { class: 'data' }, h('caption', { text: caption }),
        h('thead', {}, h('tr', {}, [t('field.store'), t('field.kind'), t('orders.distance'), t('orders.outcome'), t('orders.explanation')]
          .map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {},
          !listed ? h('tr', { class: 'row-highlight' },
            h('th', { scope: 'row', text: order.storeName }), h('td', {}), h('td', {}),
            h('td', {}, badge('candidate', 'current')), h('td', { text: t('orders.movedHere') })) : null,
          candidates.map((c) => {
            const id = String(c.storeId).toUpperCase();
            const isCurrent = id === current;
            const wasPlanned = planned.has(id) || outcomeKey(c) === 'chosen';
            let outcome;
            if (isCurrent) outcome = badge('candidate', wasPlanned ? 'chosen' : 'current');
            else if (wasPlanned) outcome = h('span', { class: 'badge badge-retried', text: t('orders.firstChoice') });
            else outcome = label('candidate', outcomeKey(c));
            return h('tr', { class: isCurrent ? 'row-highlight' : null },
              h('th', { scope: 'row', text: c.name }), h('td', { text: label('storeKind', c.kind) }),
              h('td', { class: 'num', text: distance(c.distanceMeters) }),
              h('td', {}, outcome),
              h('td', { text: isCurrent && !wasPlanned ? t('orders.movedHere') : explanation(c) }));
          }))))));
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
      // Someone else moved the order meanwhile: show it as it is now, with the reason.
      if (error.status === 409) {
        const fresh = await get(`/admin/orders/${order.id}`).catch(() => null);
        if (fresh) {
          redraw(fresh);
          const notice = errorNotice(error);
          const host = document.querySelector('#console-main .action-bar');
          if (host) host.prepend(notice); else document.querySelector('#console-main h1')?.after(notice);
          return;
        }
      }
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
    actions.push(button(t('orders.reallocate'), async (event) => {
      const choices = await busy(event.currentTarget, () => reallocationChoices(staffOrder));
      const result = await formDialog(t('orders.reallocateTitle'), {
        fields: [{ name: 'storeId', label: t('orders.reallocateTo'), type: 'select', required: order.status !== 'awaiting_reallocation',
          help: choices.help, options: [] }],
        submitLabel: t('orders.reallocate'),
        onSubmit: (v) => run('reallocate', v),
        setup: (form) => fillReallocationSelect(form.input('storeId'), choices,
          order.status === 'awaiting_reallocation' ? t('orders.nextBest') : t('filter.choose')),
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

/** Great-circle distance in metres between two points given in degrees. */
function metresBetween(a, b) {
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude); const dLng = rad(b.longitude - a.longitude);
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * 6371000 * Math.asin(Math.sqrt(x)));
}

/**
 * The stores an order may move to (its merchant's open stores; for pickup, stores with
 * pickup), each with its city and a distance: from the delivery address as the allocation
 * measured it, else from the address's coordinates, else (pickup) from the current store. The
 * same city as the order comes first, then the nearest.
 */
async function reallocationChoices(staffOrder) {
  const { order, allocation } = staffOrder;
  const stores = (await get('/admin/stores', { merchantId: order.merchantId, status: 'open', per: 200 })).items;
  const sameId = (a, b) => String(a).toUpperCase() === String(b).toUpperCase();
  const here = stores.find((s) => sameId(s.id, order.storeId)) || null;
  const address = order.fulfilment === 'delivery' ? deliveryAddressOf(staffOrder) : null;
  const city = address?.city || here?.city || '';
  const measured = new Map((allocation?.candidates || []).map((c) => [String(c.storeId).toUpperCase(), c.distanceMeters]));
  const excluded = new Set((allocation?.excludedStoreIds || []).map((id) => String(id).toUpperCase()));
  const choices = stores
    .filter((s) => !sameId(s.id, order.storeId))
    .filter((s) => order.fulfilment === 'delivery' || (s.kind !== 'warehouse' && s.pickupEnabled))
    .map((s) => {
      const id = String(s.id).toUpperCase();
      // The allocation measured from the address; otherwise from the address's point, or for
      // pickup from the current store.
      const from = order.fulfilment === 'delivery' ? address : here;
      const metres = (order.fulfilment === 'delivery' ? measured.get(id) : undefined)
        ?? (from?.latitude != null ? metresBetween(from, s) : null);
      return { store: s, metres, sameCity: Boolean(city && s.city === city), excluded: excluded.has(id) };
    })
    .sort((a, b) => (Number(b.sameCity) - Number(a.sameCity))
      || ((a.metres ?? Infinity) - (b.metres ?? Infinity))
      || a.store.code.localeCompare(b.store.code));
  const help = order.fulfilment === 'delivery' ? t('orders.reallocateHelpDelivery') : t('orders.reallocateHelpPickup');
  return { choices, city, help };
}

function fillReallocationSelect(select, { choices, city }, emptyLabel) {
  const option = (c) => {
    const s = c.store;
    const parts = [[s.code, s.name].filter(Boolean).join(' ')];
    if (s.city) parts.push([s.city, s.district].filter(Boolean).join(' '));
    if (c.metres !== null && c.metres !== undefined) parts.push(distance(c.metres));
    if (s.kind === 'warehouse') parts.push(label('storeKind', 'warehouse'));
    if (c.excluded) parts.push(t('orders.rejectedBefore'));
    return h('option', { value: s.id }, parts.join(' · '));
  };
  const near = choices.filter((c) => c.sameCity);
  const far = choices.filter((c) => !c.sameCity);
  select.replaceChildren(h('option', { value: '' }, emptyLabel));
  if (near.length && far.length) {
    select.append(h('optgroup', { label: t('orders.sameCity', { city }) }, near.map(option)),
      h('optgroup', { label: t('orders.otherCities') }, far.map(option)));
  } else {
    select.append(...choices.map(option));
  }
  if (!choices.length) select.append(h('option', { value: '', disabled: true }, t('orders.noOtherStores')));
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
