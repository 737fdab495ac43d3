import { get, post, put } from '../api.js';
import { add, h, pageHeader, button, announce, badge, openDialog } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, money, number } from '../i18n.js';
import { formDialog, storeOptions } from '../widgets.js';
import { merchantsWith } from '../context.js';
import { resolveSku } from './points-mall.js';
import { flattenCategories } from './product-editor.js';

const kinds = ['fullReduction', 'everyReduction', 'percentOff', 'nthItemOff', 'bundlePrice', 'gift', 'specialPrice'];
// How often the live panel asks for a running promotion's figures.
const statsEverySeconds = 10;

/** "100:10, 200:30" (yuan) ⇄ the rule's tiers in fen. */
function tiersText(tiers) {
  return (tiers || []).map((tier) => `${tier.thresholdFen / 100}:${tier.reductionFen / 100}`).join(', ');
}

function parseTiers(text) {
  return String(text || '').split(/[,，]/).map((part) => part.trim()).filter(Boolean).map((part) => {
    const [threshold, reduction] = part.split(/[:：]/).map((n) => Math.round(Number(n) * 100));
    return { thresholdFen: threshold, reductionFen: reduction };
  });
}

/** The rule in a few words for the list, e.g. "满减 100:10, 200:30". */
function ruleSummary(rule) {
  const kind = t(`promo.kind.${rule.kind}`);
  switch (rule.kind) {
    case 'fullReduction': return `${kind} ${tiersText(rule.tiers)}`;
    case 'everyReduction': return `${kind} ${money(rule.stepFen)} − ${money(rule.reductionFen)}${rule.capFen ? ` ≤ ${money(rule.capFen)}` : ''}`;
    case 'percentOff': return `${kind} ${rule.basisPoints / 100}%${rule.thresholdFen ? ` ≥ ${money(rule.thresholdFen)}` : ''}`;
    case 'nthItemOff': return `${kind} ${rule.n} · ${rule.basisPoints / 100}%`;
    case 'bundlePrice': return `${kind} ${rule.count} = ${money(rule.priceFen)}`;
    case 'gift': return `${kind} ≥ ${money(rule.thresholdFen || 0)}`;
    default: return kind;
  }
}

/** A campaign's effect summary (`MarketingSummary`) as a definition list; coupons add claims and uses. */
export function summaryList(s) {
  const e = s.effect;
  const rate = (bp) => (bp === undefined || bp === null ? t('promo.noRate') : `${(bp / 100).toFixed(2)}%`);
  const amount = (fen) => (fen === undefined || fen === null ? t('promo.noRate') : money(fen));
  const row = (term, value, className) => [h('dt', { text: term }), h('dd', { class: className, text: value })];
  return h('dl', { class: 'promo-stats promo-summary' },
    ...row(t('promo.influencedOrders'), number(e.orders), 'promo-summary-orders'),
    ...row(t('promo.influencedRevenue'), money(e.revenueFen)),
    ...row(t('promo.discountGiven'), money(e.discountFen)),
    ...row(t('promo.averageOrder'), amount(e.averageOrderFen)),
    ...row(t('promo.baselineAverage', { from: dateTime(s.baselineFrom), to: dateTime(s.startsAt) }),
      `${amount(e.baselineAverageOrderFen)} (${number(e.baselineOrders)})`),
    ...row(t('promo.averageChange'), rate(e.averageOrderChangeBasisPoints)),
    ...row(t('promo.costRatio'), rate(e.costRatioBasisPoints)),
    ...(e.claims === undefined || e.claims === null ? [] : row(t('promo.claimsUses'), `${number(e.uses)} / ${number(e.claims)} (${rate(e.useRateBasisPoints)})`)));
}

/** A dialog with an ended campaign's effect summary, read from `path` once it opens. */
export function summaryDialog(name, path) {
  return openDialog(t('promo.summaryTitle', { name }), () => {
    const body = h('div', { class: 'promo-summary-body' }, h('p', { class: 'muted', text: t('table.loading') }));
    get(path)
      .then((s) => body.replaceChildren(summaryList(s)))
      .catch((error) => body.replaceChildren(h('p', { class: 'form-errors', text: error.detail || error.message })));
    return body;
  });
}

export async function render(root) {
  add(root, pageHeader(t('promo.title'), button(t('promo.new'), () => edit(null), { kind: 'primary' })));
  const merchants = merchantsWith('marketing.manage');
  const live = h('section', { class: 'card promo-live', 'aria-live': 'polite', hidden: true });
  let timer = null;
  let table;

  /** What the scope pickers offer; a list that cannot be read leaves its picker empty. */
  async function scopeChoices() {
    const [categories, brands, levels] = await Promise.all([
      get('/admin/categories').catch(() => []), get('/admin/brands').catch(() => []), get('/admin/member-levels').catch(() => [])]);
    return {
      categories: flattenCategories(categories),
      brands: brands.map((b) => ({ value: b.id, label: b.name })),
      levels: levels.map((l) => ({ value: l.code, label: l.name })),
    };
  }

  async function edit(promotion) {
    const rule = promotion?.rule || {};
    const scope = promotion?.scope || {};
    const choices = await scopeChoices();
    const saved = await formDialog(promotion ? t('promo.editTitle', { name: promotion.name }) : t('promo.new'), {
      fields: [
        { name: 'name', label: t('promo.name'), required: true, value: promotion?.name, maxlength: 60 },
        { name: 'kind', label: t('promo.kind'), type: 'select', value: rule.kind || 'fullReduction',
          options: kinds.map((k) => ({ value: k, label: t(`promo.kind.${k}`) })) },
        { name: 'tiers', label: t('promo.tiers'), value: tiersText(rule.tiers), help: t('promo.tiersHelp') },
        { name: 'thresholdFen', label: t('promo.threshold'), type: 'money', nullable: true, value: rule.thresholdFen },
        { name: 'stepFen', label: t('promo.step'), type: 'money', nullable: true, value: rule.stepFen },
        { name: 'reductionFen', label: t('promo.reduction'), type: 'money', nullable: true, value: rule.reductionFen },
        { name: 'capFen', label: t('promo.cap'), type: 'money', nullable: true, value: rule.capFen },
        { name: 'basisPoints', label: t('promo.basisPoints'), type: 'integer', min: 1, max: 10000, nullable: true, value: rule.basisPoints, help: t('promo.basisPointsHelp') },
        { name: 'n', label: t('promo.n'), type: 'integer', min: 2, max: 10, nullable: true, value: rule.n },
        { name: 'count', label: t('promo.count'), type: 'integer', min: 2, max: 100, nullable: true, value: rule.count },
        { name: 'priceFen', label: t('promo.price'), type: 'money', nullable: true, value: rule.priceFen },
        { name: 'giftSku', label: t('promo.giftSku'), nullable: true, value: rule.giftSkuId, help: t('mall.skuHelp') },
        { name: 'lookupStoreId', label: t('mall.lookupStore'), type: 'select', options: storeOptions({ all: false }) },
        { name: 'giftQuantity', label: t('promo.giftQuantity'), type: 'integer', min: 1, max: 100, nullable: true, value: rule.giftQuantity },
        { name: 'startsAt', label: t('mall.startsAt'), type: 'datetime', required: true, value: promotion?.startsAt },
        { name: 'endsAt', label: t('mall.endsAt'), type: 'datetime', required: true, value: promotion?.endsAt },
        { name: 'scopeCategoryIds', label: t('promo.scopeCategories'), type: 'multiselect', value: scope.categoryIds, options: choices.categories, help: t('promo.scopeHelp') },
        { name: 'scopeBrandIds', label: t('promo.scopeBrands'), type: 'multiselect', value: scope.brandIds, options: choices.brands },
        { name: 'scopeProductIds', label: t('promo.scopeProducts'), type: 'textarea', rows: 2, nullable: true, value: (scope.productIds || []).join(', '), help: t('promo.scopeProductsHelp') },
        { name: 'scopeStoreIds', label: t('promo.scopeStores'), type: 'multiselect', value: scope.storeIds, options: storeOptions({ all: false }) },
        { name: 'scopeMemberLevels', label: t('promo.scopeLevels'), type: 'multiselect', value: scope.memberLevels, options: choices.levels },
        { name: 'scopeNewMembersOnly', label: t('promo.scopeNewMembers'), type: 'checkbox', value: scope.newMembersOnly },
        { name: 'perMemberLimit', label: t('mall.limit'), type: 'integer', min: 1, max: 1000, nullable: true, value: promotion?.perMemberLimit },
        { name: 'exclusiveGroup', label: t('promo.exclusiveGroup'), nullable: true, value: promotion?.exclusiveGroup, help: t('promo.exclusiveGroupHelp') },
        { name: 'priority', label: t('promo.priority'), type: 'integer', min: -1000, max: 1000, value: promotion?.priority ?? 0 },
      ],
      aliases: { 'rule.tiers': 'tiers', 'rule.giftSkuId': 'giftSku', 'rule.thresholdFen': 'thresholdFen', 'rule.stepFen': 'stepFen',
        'rule.reductionFen': 'reductionFen', 'rule.capFen': 'capFen', 'rule.basisPoints': 'basisPoints', 'rule.n': 'n', 'rule.count': 'count',
        'rule.priceFen': 'priceFen', 'rule.giftQuantity': 'giftQuantity', 'scope.categoryIds': 'scopeCategoryIds', 'scope.brandIds': 'scopeBrandIds',
        'scope.productIds': 'scopeProductIds', 'scope.storeIds': 'scopeStoreIds', 'scope.memberLevels': 'scopeMemberLevels' },
      onSubmit: async (v) => {
        const body = {
          name: v.name,
          // A merchant's staff run promotions of their merchant; the platform's staff run platform ones.
          merchantId: promotion ? promotion.merchantId : (merchants && merchants.length ? merchants[0] : null),
          rule: {
            kind: v.kind, tiers: v.kind === 'fullReduction' ? parseTiers(v.tiers) : null,
            thresholdFen: v.thresholdFen ?? null, stepFen: v.stepFen ?? null, reductionFen: v.reductionFen ?? null, capFen: v.capFen ?? null,
            basisPoints: v.basisPoints ?? null, n: v.n ?? null, count: v.count ?? null, priceFen: v.priceFen ?? null,
            giftSkuId: v.kind === 'gift' ? await resolveSku(v.giftSku, v.lookupStoreId, 'giftSku') : null, giftQuantity: v.giftQuantity ?? null,
          },
          // Empty pickers send null: no restriction of that kind.
          scope: {
            categoryIds: v.scopeCategoryIds, brandIds: v.scopeBrandIds, storeIds: v.scopeStoreIds, memberLevels: v.scopeMemberLevels,
            productIds: v.scopeProductIds ? v.scopeProductIds.split(/[\s,，]+/).filter(Boolean) : null,
            newMembersOnly: v.scopeNewMembersOnly || null,
          },
          startsAt: v.startsAt, endsAt: v.endsAt, perMemberLimit: v.perMemberLimit ?? null,
          exclusiveGroup: v.exclusiveGroup || null, priority: v.priority ?? 0,
        };
        return promotion ? put(`/admin/marketing/promotions/${promotion.id}`, body) : post('/admin/marketing/promotions', body);
      },
    });
    if (saved) { announce(t('common.saved')); table.reload(); }
  }

  async function act(promotion, action) {
    await post(`/admin/marketing/promotions/${promotion.id}/${action}`);
    announce(t('common.saved'));
    table.reload();
  }

  /** The live panel of one running promotion, refreshed every few seconds without a reload. */
  async function watch(promotion) {
    clearInterval(timer);
    live.hidden = false;
    const refresh = async () => {
      if (!live.isConnected) { clearInterval(timer); return; }
      try {
        const s = await get(`/admin/marketing/promotions/${promotion.id}/stats`);
        live.replaceChildren(h('h2', { text: t('promo.liveTitle', { name: promotion.name }) }),
          h('dl', { class: 'promo-stats' },
            h('dt', { text: t('promo.orders') }), h('dd', { class: 'promo-orders', text: number(s.orders) }),
            h('dt', { text: t('promo.paidRevenue') }), h('dd', { text: `${money(s.paidRevenueFen)} (${number(s.paidOrders)})` }),
            h('dt', { text: t('promo.discountGiven') }), h('dd', { text: money(s.discountFen) }),
            h('dt', { text: t('promo.participants') }), h('dd', { text: number(s.participants) })),
          h('p', { class: 'muted', text: t('promo.refreshed', { seconds: statsEverySeconds }) }));
      } catch (error) {
        live.replaceChildren(h('p', { class: 'form-errors', text: error.detail || error.message }));
      }
    };
    await refresh();
    timer = setInterval(refresh, statsEverySeconds * 1000);
  }

  /** An ended promotion's effect against the same length of time before it. */
  async function summarize(promotion) {
    clearInterval(timer);
    live.hidden = false;
    try {
      const s = await get(`/admin/marketing/promotions/${promotion.id}/summary`);
      live.replaceChildren(h('h2', { text: t('promo.summaryTitle', { name: promotion.name }) }), summaryList(s));
    } catch (error) {
      live.replaceChildren(h('p', { class: 'form-errors', text: error.detail || error.message }));
    }
  }

  table = createTable({
    caption: t('promo.title'),
    endpoint: '/admin/marketing/promotions',
    syncUrl: true,
    filters: [{ name: 'status', label: t('promo.status'), type: 'select', options: [
      { value: '', label: t('filter.all') }, ...['scheduled', 'running', 'ended'].map((s) => ({ value: s, label: t(`promoStatus.${s}`) }))] }],
    columns: [
      { key: 'name', label: t('promo.name'), render: (p) => h('strong', { text: p.name }) },
      { key: 'rule', label: t('promo.kind'), render: (p) => ruleSummary(p.rule) },
      { key: 'window', label: t('mall.window'), render: (p) => `${dateTime(p.startsAt)} – ${dateTime(p.endedAt || p.endsAt)}` },
      { key: 'status', label: t('promo.status'), render: (p) => badge('promoStatus', p.status) },
      { key: 'actions', label: t('table.actions'), action: true, render: (p) => h('span', { class: 'row-actions' },
        p.status === 'scheduled' ? button(t('action.edit'), () => edit(p), { 'aria-label': `${t('action.edit')} ${p.name}` }) : null,
        p.status !== 'ended' ? button(t('promo.end'), () => act(p, 'end'), { 'aria-label': `${t('promo.end')} ${p.name}` }) : null,
        button(t('promo.copy'), () => act(p, 'copy'), { 'aria-label': `${t('promo.copy')} ${p.name}` }),
        p.status === 'running' ? button(t('promo.live'), () => watch(p), { 'aria-label': `${t('promo.live')} ${p.name}` }) : null,
        p.status === 'ended' ? button(t('promo.summary'), () => summarize(p), { 'aria-label': `${t('promo.summary')} ${p.name}` }) : null) },
    ],
  });
  add(root, live, table.element);
  table.reload();
}
