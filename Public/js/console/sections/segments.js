import { canOnPlatform } from '../context.js';
import { get, post } from '../api.js';
import { h, add, pageHeader, errorNotice, link, button, announce, facts } from '../dom.js';
import { createTable } from '../table.js';
import { t, money, number, dateTime, label } from '../i18n.js';
import { chartFigure } from '../chart-figure.js';

// RFM groups of members (issue #18): sizes and spend per group, and each group's members.
const groups = ['high_value', 'loyal', 'potential', 'new', 'at_risk', 'dormant', 'occasional'];

export async function render(root, { id }) {
  if (groups.includes(id)) return renderGroup(root, id);
  return renderOverview(root);
}

async function renderOverview(root) {
  const recompute = canOnPlatform('marketing.manage')
    ? button(t('segments.recompute'), async (event) => {
      event.target.disabled = true;
      try {
        await post('/admin/segments/recompute');
        announce(t('segments.recomputed'));
        location.reload();
      } catch (error) {
        event.target.disabled = false;
        add(root, errorNotice(error));
      }
    }, { kind: 'primary' })
    : null;
  add(root, pageHeader(t('segments.title'), recompute), h('p', { class: 'lead', text: t('segments.intro') }));
  let overview;
  try {
    overview = await get('/admin/segments');
  } catch (error) {
    add(root, errorNotice(error));
    return;
  }
  add(root, facts([
    [t('segments.computedAt'), overview.computedAt ? dateTime(overview.computedAt) : t('segments.neverComputed')],
    [t('segments.members'), number(overview.members)],
    [t('segments.rules'), t('segments.rulesText', { dormant: overview.dormantAfterDays, new: overview.newWithinDays })],
  ]));
  if (!overview.computedAt) return;
  const shown = overview.groups;
  add(root,
    h('div', { class: 'report-grid' },
      chartFigure('donut', {
        title: t('segments.chart.sizes'), description: t('segments.chart.sizesDesc'), categoryLabel: t('segments.group'), valueLabel: t('segments.members'),
        slices: shown.map((g) => ({ label: label('segmentGroup', g.group), value: g.members })), format: number, centre: number(overview.members),
      }),
      chartFigure('bar', {
        title: t('segments.chart.spend'), description: t('segments.chart.spendDesc'), categoryLabel: t('segments.group'), horizontal: true,
        categories: shown.map((g) => label('segmentGroup', g.group)),
        series: [{ name: t('segments.spent'), values: shown.map((g) => g.spentFen) }], format: money, minimumStep: 100,
      })),
    h('section', { class: 'card' },
      h('h2', { text: t('segments.groups') }),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('segments.groups') },
        h('table', { class: 'data segment-groups' },
          h('caption', { class: 'visually-hidden', text: t('segments.groups') }),
          h('thead', {}, h('tr', {}, [t('segments.group'), t('segments.means'), t('segments.members'), t('segments.orders'), t('segments.spent'), t('segments.averageSpent')]
            .map((text, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : null, text })))),
          h('tbody', {}, shown.map((g) => h('tr', { dataset: { group: g.group } },
            h('th', { scope: 'row' }, link(`/console/segments/${g.group}`, label('segmentGroup', g.group))),
            h('td', { text: t(`segments.means.${g.group}`, { dormant: overview.dormantAfterDays, new: overview.newWithinDays }) }),
            h('td', { class: 'num', text: number(g.members) }),
            h('td', { class: 'num', text: number(g.orders) }),
            h('td', { class: 'num', text: money(g.spentFen) }),
            h('td', { class: 'num', text: g.members ? money(Math.round(g.spentFen / g.members)) : '—' }))))))));
}

function renderGroup(root, group) {
  const table = createTable({
    caption: t('segments.membersOf', { group: label('segmentGroup', group) }),
    endpoint: `/admin/segments/${group}/members`,
    syncUrl: true,
    emptyText: t('segments.noMembers'),
    columns: [
      { key: 'nickname', label: t('members.nickname'), render: (m) => m.nickname || '—' },
      { key: 'mobile', label: t('field.mobile'), render: (m) => m.mobile || '—' },
      { key: 'level', label: t('members.level'), render: (m) => m.level || '—' },
      { key: 'score', label: t('segments.score'), render: (m) => (m.score ? `R${m.score.recency} F${m.score.frequency} M${m.score.monetary}` : '—') },
      { key: 'orders', label: t('segments.orders'), align: 'num', render: (m) => number(m.orders) },
      { key: 'spentFen', label: t('segments.spent'), align: 'num', render: (m) => money(m.spentFen) },
      { key: 'lastOrderOn', label: t('segments.lastOrder'), render: (m) => m.lastOrderOn || '—' },
    ],
  });
  add(root, pageHeader(label('segmentGroup', group)), link('/console/segments', t('segments.back'), { class: 'breadcrumb' }), table.element);
  table.reload();
}
