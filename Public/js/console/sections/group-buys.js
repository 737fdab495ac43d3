import { get, post, put } from '../api.js';
import { add, h, pageHeader, button, announce, badge, facts, openDialog, clear } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, number } from '../i18n.js';
import { formDialog, storeOptions } from '../widgets.js';
import { resolveSku } from './points-mall.js';
import { summaryDialog } from './promotions.js';

// Group-buy activities (拼团): create, edit while not started, end early, copy to another time,
// live numbers polled every 5 s while the panel is open, and the effect summary once ended.
export async function render(root) {
  add(root, pageHeader(t('groupBuy.title'), button(t('groupBuy.new'), () => edit(null), { kind: 'primary' })));
  const stores = storeOptions({ all: false });

  async function edit(activity) {
    const saved = await formDialog(activity ? t('groupBuy.editTitle', { title: activity.title }) : t('groupBuy.new'), {
      fields: [
        { name: 'title', label: t('groupBuy.activityTitle'), required: true, value: activity?.title, maxlength: 60 },
        { name: 'startsAt', label: t('groupBuy.startsAt'), type: 'datetime', required: true, value: activity?.startsAt },
        { name: 'endsAt', label: t('groupBuy.endsAt'), type: 'datetime', required: true, value: activity?.endsAt },
        { name: 'skuCode', label: t('groupBuy.sku'), required: true, value: activity?.skuId, help: t('groupBuy.skuHelp') },
        { name: 'storeId', label: t('groupBuy.store'), type: 'select', options: stores, value: activity?.storeId },
        { name: 'groupPriceFen', label: t('groupBuy.price'), type: 'money', required: true, value: activity?.groupPriceFen },
        { name: 'groupSize', label: t('groupBuy.size'), type: 'integer', required: true, min: 2, max: 50, value: activity?.groupSize ?? 2 },
        { name: 'timeLimitMinutes', label: t('groupBuy.timeLimit'), type: 'integer', required: true, min: 5, max: 10080, value: activity?.timeLimitMinutes ?? 1440 },
        { name: 'perMemberLimit', label: t('groupBuy.limit'), type: 'integer', required: true, min: 1, max: 20, value: activity?.perMemberLimit ?? 1 },
        { name: 'virtualFill', label: t('groupBuy.virtualFill'), type: 'integer', required: true, min: 0, max: 49, value: activity?.virtualFill ?? 0, help: t('groupBuy.virtualFillHelp') },
      ],
      aliases: { skuId: 'skuCode' },
      onSubmit: async (v) => {
        const body = {
          title: v.title, startsAt: v.startsAt, endsAt: v.endsAt, skuId: await resolveSku(v.skuCode, v.storeId), storeId: v.storeId,
          groupPriceFen: v.groupPriceFen, groupSize: v.groupSize, timeLimitMinutes: v.timeLimitMinutes, perMemberLimit: v.perMemberLimit,
          virtualFill: v.virtualFill,
        };
        return activity ? put(`/admin/marketing/group-buys/${activity.id}`, body) : post('/admin/marketing/group-buys', body);
      },
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  }

  async function copy(activity) {
    const saved = await formDialog(t('groupBuy.copyTitle', { title: activity.title }), {
      fields: [
        { name: 'startsAt', label: t('groupBuy.startsAt'), type: 'datetime', required: true },
        { name: 'endsAt', label: t('groupBuy.endsAt'), type: 'datetime', required: true },
      ],
      onSubmit: (v) => post(`/admin/marketing/group-buys/${activity.id}/copies`, { startsAt: v.startsAt, endsAt: v.endsAt }),
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  }

  async function end(activity) {
    await post(`/admin/marketing/group-buys/${activity.id}/end`);
    announce(t('groupBuy.ended'));
    table.reload();
  }

  function live(activity) {
    const body = h('div', { class: 'group-buy-live', 'aria-live': 'polite' });
    let timer;
    const refresh = async () => {
      const panel = await get(`/admin/marketing/group-buys/${activity.id}/live`);
      clear(body);
      add(body, facts([
        [t('groupBuy.phase'), badge('flashPhase', panel.activity.phase)],
        [t('groupBuy.opened'), number(panel.groupsOpened)], [t('groupBuy.open'), number(panel.groupsOpen)],
        [t('groupBuy.filled'), number(panel.groupsFilled)], [t('groupBuy.failed'), number(panel.groupsFailed)],
        [t('groupBuy.participants'), number(panel.participants)], [t('groupBuy.paidOrders'), number(panel.paidOrders)],
        [t('groupBuy.revenue'), money(panel.revenueFen)], [t('groupBuy.discount'), money(panel.discountFen)],
        [t('groupBuy.conversion'), `${number(panel.conversionPercent)}%`],
      ]));
    };
    refresh();
    timer = setInterval(refresh, 5000);
    openDialog(t('groupBuy.liveTitle', { title: activity.title }), body).then(() => clearInterval(timer));
  }

  const table = createTable({
    caption: t('groupBuy.title'),
    endpoint: '/admin/marketing/group-buys',
    syncUrl: true,
    columns: [
      { key: 'title', label: t('groupBuy.activityTitle'), render: (a) => h('strong', { text: a.title }) },
      { key: 'window', label: t('groupBuy.window'), render: (a) => `${dateTime(a.startsAt)} – ${dateTime(a.endedAt ?? a.endsAt)}` },
      { key: 'goods', label: t('groupBuy.goods'), render: (a) => `${a.productTitle} ${money(a.groupPriceFen)} · ${t('groupBuy.sizeOf', { n: a.groupSize })}` },
      { key: 'phase', label: t('groupBuy.phase'), render: (a) => badge('flashPhase', a.phase) },
      { key: 'actions', label: t('table.actions'), action: true, render: (a) => h('span', { class: 'actions' },
        a.phase === 'upcoming' ? button(t('action.edit'), () => edit(a)) : null,
        a.phase !== 'ended' ? button(t('groupBuy.end'), () => end(a)) : null,
        button(t('groupBuy.copy'), () => copy(a)),
        button(t('groupBuy.live'), () => live(a)),
        a.phase === 'ended'
          ? button(t('promo.summary'), () => summaryDialog(a.title, `/admin/marketing/group-buys/${a.id}/summary`), { 'aria-label': `${t('promo.summary')} ${a.title}` })
          : null) },
    ],
  });
  add(root, table.element);
  table.reload();
}
