import { get, post, put } from '../api.js';
import { add, h, pageHeader, button, announce, badge, facts, openDialog, clear } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, number } from '../i18n.js';
import { formDialog, storeOptions } from '../widgets.js';
import { resolveSku } from './points-mall.js';
import { summaryDialog } from './promotions.js';

// Flash-sale sessions: create and edit every SKU of a session (one row of fields per SKU and an
// empty row to add one; edit replaces the whole session while it has not started), end early,
// copy to another time, a live panel polled every 5 s while open, and the effect summary once ended.
export async function render(root) {
  add(root, pageHeader(t('flash.title'), button(t('flash.new'), () => edit(null), { kind: 'primary' })));
  const stores = storeOptions({ all: false });

  async function edit(session) {
    const rows = (session?.items.length ?? 0) + 1;
    const itemFields = [];
    for (let row = 0; row < rows; row += 1) {
      const item = session?.items[row];
      // The first row is the session's one required SKU; later rows may stay empty.
      const first = row === 0;
      itemFields.push(
        { name: `skuCode${row}`, label: t('flash.skuN', { n: row + 1 }), required: first, value: item?.skuId, help: first ? t('flash.skuHelp') : undefined },
        { name: `storeId${row}`, label: t('flash.store'), type: 'select', options: stores, value: item?.storeId, help: first ? t('flash.storeHelp') : undefined },
        { name: `flashPriceFen${row}`, label: t('flash.price'), type: 'money', required: first, value: item?.flashPriceFen },
        { name: `quota${row}`, label: t('flash.quota'), type: 'integer', required: first, min: 1, max: 100000, value: item?.quota },
      );
    }
    // The server names a problem by the index of the item it was sent as; rows left empty are
    // not sent, so the map is rebuilt on every submit.
    const aliases = {};
    const saved = await formDialog(session ? t('flash.editTitle', { title: session.title }) : t('flash.new'), {
      fields: [
        { name: 'title', label: t('flash.sessionTitle'), required: true, value: session?.title, maxlength: 60 },
        { name: 'startsAt', label: t('flash.startsAt'), type: 'datetime', required: true, value: session?.startsAt },
        { name: 'endsAt', label: t('flash.endsAt'), type: 'datetime', required: true, value: session?.endsAt },
        { name: 'perMemberLimit', label: t('flash.limit'), type: 'integer', required: true, min: 1, max: 99, value: session?.perMemberLimit ?? 2 },
        ...itemFields,
      ],
      aliases,
      onSubmit: async (v) => {
        const items = [];
        for (let row = 0; row < rows; row += 1) {
          if (row > 0 && !v[`skuCode${row}`]) continue;
          const sent = items.length;
          for (const key of ['skuId', 'storeId', 'flashPriceFen', 'quota']) {
            aliases[`items[${sent}].${key}`] = `${key === 'skuId' ? 'skuCode' : key}${row}`;
          }
          items.push({
            skuId: await resolveSku(v[`skuCode${row}`], v[`storeId${row}`], `skuCode${row}`), storeId: v[`storeId${row}`],
            flashPriceFen: v[`flashPriceFen${row}`], quota: v[`quota${row}`],
          });
        }
        const body = { title: v.title, startsAt: v.startsAt, endsAt: v.endsAt, perMemberLimit: v.perMemberLimit, items };
        return session ? put(`/admin/marketing/flash-sales/${session.id}`, body) : post('/admin/marketing/flash-sales', body);
      },
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  }

  async function copy(session) {
    const saved = await formDialog(t('flash.copyTitle', { title: session.title }), {
      fields: [
        { name: 'startsAt', label: t('flash.startsAt'), type: 'datetime', required: true },
        { name: 'endsAt', label: t('flash.endsAt'), type: 'datetime', required: true },
      ],
      onSubmit: (v) => post(`/admin/marketing/flash-sales/${session.id}/copies`, { startsAt: v.startsAt, endsAt: v.endsAt }),
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  }

  async function end(session) {
    await post(`/admin/marketing/flash-sales/${session.id}/end`);
    announce(t('flash.ended'));
    table.reload();
  }

  function live(session) {
    const body = h('div', { class: 'flash-live', 'aria-live': 'polite' });
    let timer;
    const refresh = async () => {
      const panel = await get(`/admin/marketing/flash-sales/${session.id}/live`);
      clear(body);
      add(body, facts([[t('flash.phase'), badge('flashPhase', panel.session.phase)], [t('flash.refusals'), number(panel.refusals)]]),
        h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, ...['sku', 'sold', 'quotaLeft', 'gateLeft', 'orders', 'paidOrders', 'revenue'].map((k) => h('th', { text: t(`flash.${k}`) })))),
          h('tbody', {}, ...panel.items.map((i) => h('tr', {},
            h('td', { text: i.title }), h('td', { text: `${number(i.sold)} / ${number(i.quota)}` }), h('td', { text: number(i.quotaLeft) }),
            h('td', { text: i.gateLeft === null || i.gateLeft === undefined ? '—' : number(i.gateLeft) }), h('td', { text: number(i.orders) }),
            h('td', { text: number(i.paidOrders) }), h('td', { text: money(i.paidRevenueFen) }))))));
    };
    refresh();
    timer = setInterval(refresh, 5000);
    openDialog(t('flash.liveTitle', { title: session.title }), body).then(() => clearInterval(timer));
  }

  const table = createTable({
    caption: t('flash.title'),
    endpoint: '/admin/marketing/flash-sales',
    syncUrl: true,
    columns: [
      { key: 'title', label: t('flash.sessionTitle'), render: (s) => h('strong', { text: s.title }) },
      { key: 'window', label: t('flash.window'), render: (s) => `${dateTime(s.startsAt)} – ${dateTime(s.endedAt ?? s.endsAt)}` },
      { key: 'items', label: t('flash.items'), render: (s) => s.items.map((i) => `${i.title} ${money(i.flashPriceFen)} · ${number(i.sold)}/${number(i.quota)}`).join('; ') },
      { key: 'perMemberLimit', label: t('flash.limit'), render: (s) => number(s.perMemberLimit) },
      { key: 'phase', label: t('flash.phase'), render: (s) => badge('flashPhase', s.phase) },
      { key: 'actions', label: t('table.actions'), action: true, render: (s) => h('span', { class: 'actions' },
        s.phase === 'upcoming' ? button(t('action.edit'), () => edit(s)) : null,
        s.phase !== 'ended' ? button(t('flash.end'), () => end(s)) : null,
        button(t('flash.copy'), () => copy(s)),
        button(t('flash.live'), () => live(s)),
        s.phase === 'ended'
          ? button(t('promo.summary'), () => summaryDialog(s.title, `/admin/marketing/flash-sales/${s.id}/summary`), { 'aria-label': `${t('promo.summary')} ${s.title}` })
          : null) },
    ],
  });
  add(root, table.element);
  table.reload();
}
