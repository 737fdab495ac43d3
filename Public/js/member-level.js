// The member's level: the level card, the window's stats, progress to the next level per
// condition, a pending move down, the rights of every level and the history — all from
// GET /api/v1/me/membership and GET /api/v1/member-levels. The page's words come from the
// section's data attributes, so the member centre can embed the same section (with
// data-compact: the card and the progress only).
import { api, el, yuan, problemText } from './mall.js';

const root = document.getElementById('member-level');
const body = document.getElementById('member-level-body');
const text = root.dataset;
const locale = root.lang === 'en' ? 'en-GB' : 'zh-CN';
const numberFormat = new Intl.NumberFormat(locale);
const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });

/** A message with `{name}` filled in. */
const say = (template, values = {}) => String(template || '').replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? `{${name}}`));
const day = (iso) => dateFormat.format(new Date(iso));

/** 500 basis points off → 95折 (the way shoppers here read a discount). */
function fold(discountBasisPoints) {
  const paid = 10000 - discountBasisPoints;
  if (paid % 1000 === 0) return `${paid / 1000}折`;
  if (paid % 100 === 0) return `${paid / 100}折`;
  return `${(paid / 100).toFixed(2).replace(/0$/, '')}折`;
}

function rights(level) {
  const r = level.rights;
  const items = [];
  if (r.discountBasisPoints > 0) items.push(say(text.rightDiscount, { fold: fold(r.discountBasisPoints) }));
  if (r.pointsMultiplierBasisPoints !== 10000) items.push(say(text.rightPoints, { times: String(r.pointsMultiplierBasisPoints / 10000) }));
  if (r.freeShippingThresholdFen === 0) items.push(text.rightFreeShipping);
  else if (r.freeShippingThresholdFen !== null && r.freeShippingThresholdFen !== undefined) items.push(say(text.rightShippingFrom, { amount: yuan(r.freeShippingThresholdFen) }));
  if (r.priorityMinutes > 0) items.push(say(text.rightPriority, { minutes: r.priorityMinutes }));
  if (r.birthdayPoints > 0) items.push(say(text.rightBirthday, { points: numberFormat.format(r.birthdayPoints) }));
  if (r.exclusiveService) items.push(text.rightService);
  return items;
}

function conditions(level) {
  const c = level.conditions;
  const parts = [];
  if (c.minimumSpendFen !== null && c.minimumSpendFen !== undefined) parts.push(say(text.conditionSpend, { amount: yuan(c.minimumSpendFen) }));
  if (c.minimumOrders !== null && c.minimumOrders !== undefined) parts.push(say(text.conditionOrders, { count: numberFormat.format(c.minimumOrders) }));
  if (c.minimumPointsEarned !== null && c.minimumPointsEarned !== undefined) parts.push(say(text.conditionPoints, { points: numberFormat.format(c.minimumPointsEarned) }));
  return parts.length ? parts.join(c.matchAll ? text.and : text.or) : text.conditionsNone;
}

/** What a condition's numbers mean: money for spend, plain counts otherwise. */
const amount = (condition, value) => (condition === 'spend' ? yuan(value) : numberFormat.format(value));
const conditionLabel = { spend: 'statSpend', orders: 'statOrders', points: 'statPoints' };

function card(membership) {
  const level = membership.level;
  const stats = membership.stats;
  const section = el('section', { class: 'card level-card', 'aria-labelledby': 'level-card-name' },
    el('p', { class: 'level-name', id: 'level-card-name' }, level ? level.name : text.none),
    membership.since ? el('p', { class: 'muted' }, say(text.since, { date: day(membership.since) })) : null,
    el('dl', { class: 'totals level-stats', 'aria-label': say(text.window, { days: membership.windowDays }) },
      el('dt', {}, text.statSpend), el('dd', { id: 'level-stat-spend' }, yuan(stats.spendFen)),
      el('dt', {}, text.statOrders), el('dd', { id: 'level-stat-orders' }, numberFormat.format(stats.completedOrders)),
      el('dt', {}, text.statPoints), el('dd', { id: 'level-stat-points' }, numberFormat.format(stats.pointsEarned))),
    el('p', { class: 'muted' }, say(text.window, { days: membership.windowDays })));
  if (membership.downgradeAt) {
    section.append(el('p', { class: 'notice', role: 'status' },
      say(text.downgrade, { date: day(membership.downgradeAt), name: membership.downgradeToName || text.none })));
  }
  if (level) {
    const list = rights(level);
    section.append(el('h3', {}, text.rights),
      el('ul', { class: 'level-rights', id: 'level-rights' }, (list.length ? list : [text.rightNone]).map((item) => el('li', {}, item))));
  }
  return section;
}

function progress(membership) {
  const next = membership.nextLevel;
  if (!next) return el('section', { class: 'card' }, el('p', {}, text.top));
  const items = membership.progress.map((p) => {
    const id = `level-progress-${p.condition}`;
    return el('li', { class: 'level-progress' },
      el('label', { for: id }, `${text[conditionLabel[p.condition]]}: ${amount(p.condition, p.current)} / ${amount(p.condition, p.required)}`),
      el('progress', { id, max: String(p.required || 1), value: String(Math.min(p.current, p.required || 1)) }),
      el('span', { class: p.met ? 'badge ok' : 'muted' }, p.met ? text.met : say(text.toGo, { value: amount(p.condition, p.remaining) })));
  });
  return el('section', { class: 'card', 'aria-labelledby': 'level-next-heading', id: 'level-next' },
    el('h3', { id: 'level-next-heading' }, say(text.next, { name: next.name })),
    items.length ? el('p', { class: 'muted' }, next.conditions.matchAll ? text.matchAll : text.matchAny) : null,
    el('ul', { class: 'plain' }, items));
}

function ladder(levels, current) {
  const rows = levels.map((level) => el('tr', { class: level.code === current ? 'current' : null },
    el('th', { scope: 'row' }, level.name, level.code === current ? el('span', { class: 'badge ok' }, ` ${text.current}`) : null),
    el('td', {}, conditions(level)),
    el('td', {}, (rights(level).join(' · ')) || text.rightNone)));
  return el('section', { class: 'card', 'aria-labelledby': 'level-all-heading' },
    el('h3', { id: 'level-all-heading' }, text.all),
    el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'level-ladder' },
      el('caption', { class: 'visually-hidden' }, text.all),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, text.levelName), el('th', { scope: 'col' }, text.levelConditions),
        el('th', { scope: 'col' }, text.levelRights))),
      el('tbody', {}, rows))));
}

function history(membership) {
  const reason = { upgrade: text.reasonUpgrade, downgrade: text.reasonDowngrade, manual: text.reasonManual };
  const items = membership.history.map((change) => el('li', {},
    el('time', { datetime: change.createdAt }, day(change.createdAt)), ' ',
    el('strong', {}, `${change.fromName || change.fromLevel || text.none} → ${change.toName || change.toLevel || text.none}`), ' ',
    el('span', { class: 'muted' }, reason[change.reason] || change.reason),
    change.note ? el('span', { class: 'muted' }, ` · ${change.note}`) : null));
  return el('section', { class: 'card', 'aria-labelledby': 'level-history-heading' },
    el('h3', { id: 'level-history-heading' }, text.history),
    items.length ? el('ol', { class: 'timeline', id: 'level-history' }, items) : el('p', { class: 'muted' }, text.historyEmpty));
}

(async () => {
  try {
    const [membership, levels] = await Promise.all([api('GET', '/me/membership'), api('GET', '/member-levels')]);
    membership.downgradeToName = levels.find((l) => l.code === membership.downgradeTo)?.name;
    if (text.compact) body.replaceChildren(card(membership), progress(membership));
    else body.replaceChildren(card(membership), progress(membership), ladder(levels, membership.level?.code), history(membership));
  } catch (problem) {
    body.replaceChildren(el('p', { class: 'form-errors', role: 'alert' }, problemText(problem, text.failed)));
  } finally {
    root.setAttribute('aria-busy', 'false');
  }
})();
