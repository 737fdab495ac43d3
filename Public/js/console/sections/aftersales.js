import { canAtStore, storeById } from '../context.js';
import { get, post } from '../api.js';
import { add, h, pageHeader, badge, link, button, busy, announce, errorNotice, facts, clear, errorText } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, number, label } from '../i18n.js';
import { storeFilter, storeCell, enumOptions, formDialog, reasonDialog, shipmentFields, wireShipmentForm } from '../widgets.js';

const statuses = ['requested', 'awaiting_return', 'return_shipped', 'return_received', 'refunding', 'refunded', 'replacement_reserved', 'replacement_shipped', 'completed', 'rejected', 'cancelled', 'inspection_failed'];
const kinds = ['refund_only', 'return_and_refund', 'exchange'];

export async function render(root, { id }) {
  if (id) return renderCase(root, id);
  const table = createTable({
    caption: t('aftersales.caption'),
    endpoint: '/admin/after-sales',
    sortFields: ['number', 'kind', 'status', 'reason', 'requestedRefundFen', 'refundedFen', 'createdAt'],
    syncUrl: true,
    filters: [
      ...storeFilter(),
      { name: 'status', label: t('field.status'), type: 'select', options: enumOptions('afterSalesStatus', statuses) },
      { name: 'kind', label: t('field.kind'), type: 'select', options: enumOptions('afterSalesKind', kinds) },
      { name: 'number', label: t('aftersales.number') },
    ],
    columns: [
      { key: 'number', label: t('aftersales.number'), render: (c) => link(`/console/aftersales/${c.id}`, c.number) },
      { key: 'orderNumber', label: t('field.orderNumber'), render: (c) => link(`/console/orders/${c.orderId}`, c.orderNumber) },
      { key: 'kind', label: t('field.kind'), render: (c) => label('afterSalesKind', c.kind) },
      { key: 'status', label: t('field.status'), render: (c) => badge('afterSalesStatus', c.status) },
      { key: 'reason', label: t('field.reason'), render: (c) => label('afterSalesReason', c.reason) },
      { key: 'storeId', label: t('field.store'), render: (c) => storeCell(c.storeId) },
      { key: 'requestedRefundFen', label: t('aftersales.requested'), align: 'num', render: (c) => money(c.requestedRefundFen) },
      { key: 'createdAt', label: t('field.createdAt'), render: (c) => dateTime(c.createdAt) },
    ],
  });
  add(root, pageHeader(t('aftersales.title')), table.element);
  table.reload();
}

async function renderCase(root, id) {
  add(root, h('p', { class: 'breadcrumb' }, link('/console/aftersales', t('aftersales.title'))));
  const body = h('div');
  add(root, body);
  let c;
  try {
    c = await get(`/admin/after-sales/${id}`);
  } catch (error) {
    body.append(errorNotice(error));
    return;
  }
  const draw = (next) => {
    c = next;
    add(clear(body), 
      h('header', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('aftersales.caseTitle', { number: c.number }), ' ', badge('afterSalesStatus', c.status))),
      actions(c, (updated) => { draw(updated); body.querySelector('h1').focus(); }),
      h('div', { class: 'detail-grid' },
        h('section', { class: 'card' }, h('h2', { text: t('aftersales.request') }), facts([
          [t('field.kind'), label('afterSalesKind', c.kind)],
          [t('field.orderNumber'), link(`/console/orders/${c.orderId}`, c.orderNumber)],
          [t('field.store'), storeCell(c.storeId)],
          [t('field.reason'), label('afterSalesReason', c.reason)],
          [t('field.description'), c.description],
          [t('aftersales.requested'), money(c.requestedRefundFen)],
          [t('aftersales.approved'), c.approvedRefundFen === undefined || c.approvedRefundFen === null ? '' : money(c.approvedRefundFen)],
          [t('field.refunded'), money(c.refundedFen)],
          [t('aftersales.rejectionReason'), c.rejectionReason],
          [t('aftersales.returnShipment'), c.returnCarrier ? `${c.returnCarrier} ${c.returnTrackingNumber || ''}` : ''],
          [t('aftersales.replacementShipment'), c.replacementCarrier ? `${c.replacementCarrier} ${c.replacementTrackingNumber || ''}` : ''],
          [t('field.createdAt'), dateTime(c.createdAt)],
        ]), c.photos && c.photos.length ? h('ul', { class: 'image-list' }, c.photos.map((p, i) => h('li', {}, h('a', { href: p, target: '_blank', rel: 'noopener' }, h('img', { src: p, alt: t('aftersales.photo', { n: i + 1 }) }))))) : null),
        h('section', { class: 'card' }, h('h2', { text: t('orders.timeline') }), h('ol', { class: 'timeline' }, c.timeline.map((e) => h('li', {},
          h('time', { datetime: e.at, text: dateTime(e.at) }), ' ',
          // An entry that keeps the status is an event: its note says what happened.
          e.from === e.to ? (e.note || label('afterSalesStatus', e.to)) : t('orders.transition', { from: label('afterSalesStatus', e.from), to: label('afterSalesStatus', e.to) }),
          ' ', h('span', { class: 'muted', text: label('actor', e.actor) }), e.note && e.from !== e.to ? h('p', { class: 'timeline-note', text: e.note }) : null))))),
      linesTable(c));
  };
  draw(c);
}

function linesTable(c) {
  const caption = t('orders.lines');
  return h('section', { class: 'card' }, h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', { class: 'data compact' }, h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, [t('field.product'), t('field.spec'), t('field.quantity'), t('aftersales.lineRefund')].map((x, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : null, text: x })))),
      h('tbody', {}, c.lines.map((l) => h('tr', {}, h('th', { scope: 'row', text: l.title }), h('td', { text: l.specTitle }),
        h('td', { class: 'num', text: number(l.quantity) }), h('td', { class: 'num', text: money(l.refundFen) })))))));
}

function actions(c, redraw) {
  const store = storeById(c.storeId);
  if (!canAtStore('aftersales.handle', c.storeId, store?.merchantId)) return null;
  const run = (path, bodyValue) => post(`/admin/after-sales/${c.id}/${path}`, bodyValue);
  const after = (message) => (result) => { if (result) { announce(message); redraw(result); } };
  const list = [];
  if (c.status === 'requested') {
    list.push(button(t('aftersales.approve'), async () => {
      const fields = c.kind === 'exchange' ? [] : [{ name: 'refundFen', label: t('aftersales.refundAmount'), type: 'money', value: c.requestedRefundFen, help: t('aftersales.refundHelp', { max: money(c.requestedRefundFen) }) }];
      after(t('aftersales.approvedDone'))(await formDialog(t('aftersales.approveTitle'), { fields, submitLabel: t('aftersales.approve'), aliases: { refund: 'refundFen' }, onSubmit: (v) => run('approve', v) }));
    }, { kind: 'primary' }));
    list.push(button(t('aftersales.reject'), async () => after(t('aftersales.rejectedDone'))(await reasonDialog(t('aftersales.rejectTitle'), (v) => run('reject', v))), { kind: 'danger' }));
  }
  if (c.status === 'return_shipped') {
    list.push(button(t('aftersales.receive'), async (event) => {
      try { after(t('aftersales.receivedDone'))(await busy(event.currentTarget, () => run('receive'))); } catch (error) { announce(errorText(error), 'error'); }
    }, { kind: 'primary' }));
  }
  if (c.status === 'return_received') {
    list.push(button(t('aftersales.inspect'), async () => {
      after(t('aftersales.inspectedDone'))(await formDialog(t('aftersales.inspectTitle'), {
        fields: [
          { name: 'passed', label: t('aftersales.passed'), type: 'checkbox', value: true },
          { name: 'note', label: t('field.note'), type: 'textarea', rows: 2, help: t('aftersales.noteHelp') },
        ],
        submitLabel: t('action.confirm'),
        onSubmit: (v) => run('inspect', v),
      }));
    }, { kind: 'primary' }));
  }
  if (c.status === 'replacement_reserved') {
    list.push(button(t('aftersales.shipReplacement'), async () => {
      const fields = await shipmentFields();
      after(t('orders.shipped'))(await formDialog(t('aftersales.shipReplacement'), { fields, setup: wireShipmentForm, submitLabel: t('orders.ship'), onSubmit: (v) => run('ship-replacement', v) }));
    }, { kind: 'primary' }));
  }
  return list.length ? h('section', { class: 'card action-bar', 'aria-label': t('orders.actions') }, h('div', { class: 'actions-row' }, list)) : null;
}
