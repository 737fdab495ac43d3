import { context, merchantsWith } from '../context.js';
import { get, put, apiUrl } from '../api.js';
import { h, add, pageHeader, subnav, errorNotice, link, announce } from '../dom.js';
import { field } from '../form.js';
import { t, money, number, dateTime, label } from '../i18n.js';
import { storeOptions, formDialog } from '../widgets.js';
import { chartFigure } from '../chart-figure.js';

// The reports read daily aggregates the server folds every minute; every view keeps its period
// and store in the address, so a drill-down or a shared link opens the same figures.
const views = ['sales', 'periods', 'stores', 'products', 'after-sales', 'members'];

export async function render(root, { id }) {
  const view = views.includes(id) ? id : 'sales';
  const filters = readFilters();
  add(root, pageHeader(t('reports.title'), exportLinks(view, filters)), tabs(view, filters));
  add(root, filterForm(view, filters));
  const body = h('div', { class: 'reports-body' });
  add(root, body);
  try {
    if (view === 'stores') await renderStores(body, filters);
    else if (view === 'products') await renderProducts(body, filters);
    else if (view === 'periods') await renderPeriods(body, filters);
    else if (view === 'after-sales') await renderAfterSales(body, filters);
    else if (view === 'members') await renderMembers(body, filters);
    else await renderSales(body, filters);
  } catch (error) {
    add(body, errorNotice(error));
  }
}

const presets = ['last7', 'last30', 'thisMonth', 'lastMonth', 'custom'];

function isoDay(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A preset's first and last day, counted on this browser's calendar (the shop's, in practice). */
function presetRange(preset, today = new Date()) {
  const day = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  const back = (n) => new Date(day.getFullYear(), day.getMonth(), day.getDate() - n);
  switch (preset) {
    case 'last7': return { from: isoDay(back(6)), to: isoDay(day) };
    case 'thisMonth': return { from: isoDay(new Date(day.getFullYear(), day.getMonth(), 1)), to: isoDay(day) };
    case 'lastMonth': return { from: isoDay(new Date(day.getFullYear(), day.getMonth() - 1, 1)), to: isoDay(new Date(day.getFullYear(), day.getMonth(), 0)) };
    default: return { from: isoDay(back(29)), to: isoDay(day) };
  }
}

function readFilters() {
  const query = new URLSearchParams(location.search);
  const preset = presets.includes(query.get('preset')) ? query.get('preset') : (query.get('from') ? 'custom' : 'last30');
  const range = preset === 'custom' ? { from: query.get('from') || presetRange('last30').from, to: query.get('to') || presetRange('last30').to } : presetRange(preset);
  const grain = ['day', 'week', 'month'].includes(query.get('grain')) ? query.get('grain') : 'week';
  return { preset, ...range, storeId: query.get('storeId') || '', order: query.get('order') === 'amount' ? 'amount' : 'units', grain };
}

function queryOf(filters, extra = {}) {
  return { from: filters.from, to: filters.to, storeId: filters.storeId || undefined, ...extra };
}

function href(view, filters, extra = {}) {
  const search = new URLSearchParams();
  if (filters.preset !== 'custom') search.set('preset', filters.preset);
  else { search.set('from', filters.from); search.set('to', filters.to); }
  if (filters.storeId) search.set('storeId', filters.storeId);
  for (const [k, v] of Object.entries(extra)) if (v) search.set(k, v);
  return `/console/reports/${view}?${search}`;
}

function tabs(current, filters) {
  return subnav(t('reports.title'), views.map((key) => ({ key, label: t(`reports.tab.${key}`), href: href(key, filters) })), current);
}

/** What a view adds to the period and store, in its address and in its export. */
function viewExtra(view, filters) {
  if (view === 'products') return { order: filters.order };
  if (view === 'periods') return { grain: filters.grain };
  return {};
}

function exportLinks(view, filters) {
  const extra = viewExtra(view, filters);
  // The period comparison is the sales report with its periods; its export is the sales export.
  const report = view === 'periods' ? 'sales' : view;
  return h('span', { class: 'export-links' },
    ['csv', 'xlsx'].map((format) => link(apiUrl(`/admin/reports/${report}/export`, { ...queryOf(filters), ...extra, format }),
      t(`reports.export.${format}`), { class: 'btn', download: '' })));
}

function filterForm(view, filters) {
  const preset = field({ name: 'preset', label: t('reports.period'), type: 'select', value: filters.preset, options: presets.map((p) => ({ value: p, label: t(`reports.preset.${p}`) })) });
  const from = field({ name: 'from', label: t('reports.from'), type: 'date', value: filters.from });
  const to = field({ name: 'to', label: t('reports.to'), type: 'date', value: filters.to });
  const store = context.stores.length > 1 ? field({ name: 'storeId', label: t('field.store'), type: 'select', value: filters.storeId, options: storeOptions() }) : null;
  const showDates = () => { from.wrapper.hidden = to.wrapper.hidden = preset.input.value !== 'custom'; };
  preset.input.addEventListener('change', () => {
    if (preset.input.value !== 'custom') {
      const range = presetRange(preset.input.value);
      from.input.value = range.from;
      to.input.value = range.to;
    }
    showDates();
  });
  showDates();
  return h('form', {
    class: 'filters', role: 'search', 'aria-label': t('reports.filters'),
    onsubmit: (event) => {
      event.preventDefault();
      const next = { preset: preset.input.value, from: from.input.value, to: to.input.value, storeId: store ? store.input.value : '' };
      location.assign(href(view, next, viewExtra(view, filters)));
    },
  }, preset.wrapper, from.wrapper, to.wrapper, store?.wrapper,
  h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: t('reports.show') })));
}

const percent = (basisPoints) => (basisPoints === null || basisPoints === undefined ? '—' : `${(basisPoints / 100).toFixed(1)}%`);
const hundredths = (value) => (value === null || value === undefined ? '—' : (value / 100).toFixed(2));
const netUnits = (f) => f.figures.units - f.figures.refundedUnits;

function changeText(change) {
  if (!change) return '';
  const sign = change.difference > 0 ? '+' : change.difference < 0 ? '−' : '±';
  const amount = `${sign}${money(Math.abs(change.difference))}`;
  return change.basisPoints === null || change.basisPoints === undefined ? amount : `${amount} (${sign}${(Math.abs(change.basisPoints) / 100).toFixed(1)}%)`;
}

function tile(title, value, hint, name) {
  return h('div', { class: 'card tile', dataset: { measure: name } }, h('h2', { class: 'tile-title', text: title }), h('p', { class: 'tile-value', text: value }), hint ? h('p', { class: 'tile-hint', text: hint }) : null);
}

/** The measures every report shows, each as [key, label, value of a figures object]. */
function measures() {
  return [
    ['netSales', t('reports.netSales'), (f) => money(f.netSalesFen)],
    ['orders', t('reports.orders'), (f) => number(f.figures.orders)],
    ['averageOrder', t('reports.averageOrder'), (f) => (f.averageOrderFen === null || f.averageOrderFen === undefined ? '—' : money(f.averageOrderFen))],
    ['unitsPerOrder', t('reports.unitsPerOrder'), (f) => hundredths(f.unitsPerOrderHundredths)],
    ['netUnits', t('reports.netUnits'), (f) => number(netUnits(f))],
    ['refunded', t('reports.refunded'), (f) => money(f.figures.refundedFen)],
    ['refundRate', t('reports.refundRate'), (f) => percent(f.refundRateBasisPoints)],
    ['grossMargin', t('reports.grossMargin'), (f) => (f.grossMarginFen === null || f.grossMarginFen === undefined ? '—' : `${money(f.grossMarginFen)} · ${percent(f.grossMarginBasisPoints)}`)],
    ['returningShare', t('reports.returningShare'), (f) => percent(f.returningShareBasisPoints)],
  ];
}

/** A table whose first `textColumns` columns are words (the first heads its row) and the rest figures. */
function dataTable(caption, head, rows, { textColumns = 1 } = {}) {
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', { class: 'data report-table' },
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, head.map((text, i) => h('th', { scope: 'col', class: i >= textColumns ? 'num' : null, text })))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: i >= textColumns ? 'num' : null }, cell))))))));
}

function foldedNote(report) {
  return report.foldedOrdersUntil ? h('p', { class: 'muted', text: t('reports.foldedUntil', { time: dateTime(report.foldedOrdersUntil) }) }) : null;
}

async function renderSales(root, filters) {
  const report = await get('/admin/reports/sales', queryOf(filters));
  const totals = report.totals;
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((d) => t(`reports.weekday.${d}`));
  const hours = Array.from({ length: 24 }, (_, i) => String(i));
  add(root,
    h('div', { class: 'tiles' },
      tile(t('reports.netSales'), money(totals.netSalesFen),
        `${t('reports.vsPrevious')} ${changeText(report.netSalesChange)} · ${t('reports.vsLastYear')} ${changeText(report.netSalesChangeOnLastYear)}`, 'netSales'),
      tile(t('reports.orders'), number(totals.figures.orders), t('reports.newAndReturning', { new: number(totals.figures.newCustomerOrders), returning: number(totals.figures.returningCustomerOrders) }), 'orders'),
      tile(t('reports.averageOrder'), totals.averageOrderFen === null || totals.averageOrderFen === undefined ? '—' : money(totals.averageOrderFen), t('reports.unitsPerOrderHint', { units: hundredths(totals.unitsPerOrderHundredths) }), 'averageOrder'),
      tile(t('reports.refundRate'), percent(totals.refundRateBasisPoints), money(totals.figures.refundedFen), 'refundRate'),
      tile(t('reports.grossMargin'), totals.grossMarginFen === null || totals.grossMarginFen === undefined ? '—' : money(totals.grossMarginFen), percent(totals.grossMarginBasisPoints), 'grossMargin')),
    foldedNote(report),
    h('div', { class: 'report-grid' },
      chartFigure('line', {
        title: t('reports.chart.netSalesByDay'), description: t('reports.chart.netSalesByDayDesc', { from: report.from, to: report.to }),
        categoryLabel: t('reports.day'), categories: report.days.map((d) => d.day.slice(5)),
        series: [{ name: t('reports.netSales'), values: report.days.map((d) => d.figures.netSalesFen) }], format: money, minimumStep: 100,
      }),
      chartFigure('bar', {
        title: t('reports.chart.ordersByDay'), description: t('reports.chart.ordersByDayDesc'), categoryLabel: t('reports.day'),
        categories: report.days.map((d) => d.day.slice(5)),
        series: [
          { name: t('reports.orders'), values: report.days.map((d) => d.figures.figures.orders) },
          { name: t('reports.refundedOrders'), values: report.days.map((d) => d.figures.figures.refundedOrders) },
        ],
        format: number, minimumStep: 1,
      }),
      chartFigure('donut', {
        title: t('reports.chart.channels'), description: t('reports.chart.channelsDesc'), categoryLabel: t('reports.channel'), valueLabel: t('reports.netSales'),
        slices: report.channels.map((c) => ({ label: t(`reports.channel.${c.channel}`), value: c.figures.netSalesFen })), format: money,
      }),
      chartFigure('heatmap', {
        title: t('reports.chart.heatmap'), description: t('reports.chart.heatmapDesc'), categoryLabel: t('reports.weekday'),
        rows: weekdays, columns: hours, values: report.heatmap.cells.map((row) => row.map((cell) => cell.orders)), format: number,
      })),
    h('section', { class: 'card' },
      h('h2', { text: t('reports.comparison') }),
      dataTable(t('reports.comparisonCaption'), [t('reports.measure'), t('reports.thisPeriod'), t('reports.previousPeriod'), t('reports.samePeriodLastYear')],
        measures().map(([, name, value]) => [name, value(totals), value(report.previous), value(report.lastYear)]))));
}

function canSetTarget(store) {
  const merchants = merchantsWith('store.manage');
  return merchants === null || merchants.includes(String(store.merchantId).toUpperCase());
}

async function renderStores(root, filters) {
  const report = await get('/admin/reports/stores', queryOf(filters));
  const stores = [...report.stores].sort((a, b) => (a.ranks.netSales ?? 0) - (b.ranks.netSales ?? 0));
  const names = stores.map((s) => s.storeName);
  const rankCell = (s, key, text) => h('span', {}, text, s.ranks[key] ? h('span', { class: 'rank', title: t('reports.rank'), text: ` #${s.ranks[key]}` }) : null);
  const targetCell = (s) => {
    const parts = [];
    if (s.target) {
      parts.push(h('span', { text: `${money(s.target.actualFen)} / ${money(s.target.targetFen)} · ${percent(s.target.attainmentBasisPoints)}` }),
        h('br'), h('span', { class: 'muted', text: t('reports.forecast', { amount: money(s.target.forecastFen), rate: percent(s.target.forecastAttainmentBasisPoints) }) }));
    } else {
      parts.push(h('span', { class: 'muted', text: t('reports.noTarget') }));
    }
    if (canSetTarget(s)) {
      parts.push(' ', h('button', { type: 'button', class: 'btn btn-small', text: t('reports.setTarget'), 'aria-label': t('reports.setTargetFor', { store: s.storeName }), onclick: () => setTarget(s, report.targetMonth) }));
    }
    return h('span', {}, parts);
  };
  add(root,
    h('div', { class: 'report-grid' },
      chartFigure('bar', {
        title: t('reports.chart.storeSales'), description: t('reports.chart.storeSalesDesc', { from: report.from, to: report.to }),
        categoryLabel: t('field.store'), categories: names, horizontal: true,
        series: [{ name: t('reports.netSales'), values: stores.map((s) => s.figures.netSalesFen) }], format: money, minimumStep: 100,
      }),
      stores.some((s) => s.target) ? chartFigure('bar', {
        title: t('reports.chart.storeTargets', { month: report.targetMonth }), description: t('reports.chart.storeTargetsDesc'),
        categoryLabel: t('field.store'), categories: names, horizontal: true,
        series: [
          { name: t('reports.actual'), values: stores.map((s) => s.target?.actualFen ?? 0) },
          { name: t('reports.forecastShort'), values: stores.map((s) => s.target?.forecastFen ?? 0) },
          { name: t('reports.target'), values: stores.map((s) => s.target?.targetFen ?? 0) },
        ],
        format: money, minimumStep: 100,
      }) : h('section', { class: 'card' }, h('h2', { text: t('reports.chart.storeTargets', { month: report.targetMonth }) }),
        h('p', { class: 'muted', text: t('reports.noTargets') }))),
    h('section', { class: 'card' },
      h('h2', { text: t('reports.storeTable') }),
      dataTable(t('reports.storeTableCaption', { from: report.from, to: report.to }),
        [t('field.store'), t('reports.netSales'), t('reports.orders'), t('reports.averageOrder'), t('reports.unitsPerOrder'), t('reports.refundRate'), t('reports.grossMargin'), t('reports.returningShare'), t('reports.targetMonth', { month: report.targetMonth })],
        stores.map((s) => [
          link(href('products', { ...filters, storeId: s.storeId }), `${s.storeCode} ${s.storeName}`, { title: t('reports.drillDown') }),
          rankCell(s, 'netSales', money(s.figures.netSalesFen)),
          rankCell(s, 'orders', number(s.figures.figures.orders)),
          rankCell(s, 'averageOrder', s.figures.averageOrderFen === null || s.figures.averageOrderFen === undefined ? '—' : money(s.figures.averageOrderFen)),
          rankCell(s, 'unitsPerOrder', hundredths(s.figures.unitsPerOrderHundredths)),
          rankCell(s, 'refunded', percent(s.figures.refundRateBasisPoints)),
          s.figures.grossMarginFen === null || s.figures.grossMarginFen === undefined ? '—' : `${money(s.figures.grossMarginFen)} · ${percent(s.figures.grossMarginBasisPoints)}`,
          rankCell(s, 'returningShare', percent(s.figures.returningShareBasisPoints)),
          targetCell(s),
        ]))));
}

async function setTarget(store, month) {
  const saved = await formDialog(t('reports.setTargetFor', { store: store.storeName }), {
    fields: [{ name: 'targetFen', label: t('reports.targetAmount', { month }), type: 'money', required: true, value: store.target?.targetFen }],
    submitLabel: t('action.save'),
    onSubmit: (values) => put(`/admin/stores/${store.storeId}/targets/${month}`, values),
  });
  if (saved) {
    announce(t('reports.targetSaved'));
    location.reload();
  }
}

async function renderProducts(root, filters) {
  const report = await get('/admin/reports/products', queryOf(filters, { order: filters.order, limit: 20 }));
  const storeNote = filters.storeId ? context.stores.find((s) => String(s.id).toUpperCase() === filters.storeId.toUpperCase()) : null;
  const orderSwitch = h('p', { class: 'order-switch' }, t('reports.rankBy'), ' ',
    ['units', 'amount'].map((order) => (order === filters.order
      ? h('strong', { 'aria-current': 'true', text: t(`reports.order.${order}`) })
      : link(href('products', filters, { order }), t(`reports.order.${order}`)))).flatMap((x, i) => (i ? [' · ', x] : [x])));
  const title = (row) => (row.specTitle ? `${row.title} · ${row.specTitle}` : row.title);
  const top10 = report.top.slice(0, 10);
  add(root,
    storeNote ? h('p', { class: 'lead', text: t('reports.forStore', { store: `${storeNote.code} ${storeNote.name}` }) }) : null,
    orderSwitch,
    h('div', { class: 'report-grid' },
      chartFigure('bar', {
        title: t(`reports.chart.top.${filters.order}`), description: t('reports.chart.topDesc', { from: report.from, to: report.to }),
        categoryLabel: t('field.product'), categories: top10.map(title), horizontal: true,
        series: [filters.order === 'amount'
          ? { name: t('reports.netSales'), values: top10.map((p) => p.netSalesFen) }
          : { name: t('reports.netUnits'), values: top10.map((p) => p.netUnits) }],
        format: filters.order === 'amount' ? money : number, minimumStep: filters.order === 'amount' ? 100 : 1,
      }),
      chartFigure('donut', {
        title: t('reports.chart.categories'), description: t('reports.chart.categoriesDesc'), categoryLabel: t('field.category'), valueLabel: t('reports.netSales'),
        slices: report.categories.map((c) => ({ label: c.name, value: c.netSalesFen })), format: money,
      })),
    h('section', { class: 'card' },
      h('h2', { text: t('reports.ranking') }),
      dataTable(t('reports.rankingCaption'), ['#', t('field.product'), t('reports.netUnits'), t('reports.netSales')],
        report.top.map((p, i) => [String(i + 1), title(p), number(p.netUnits), money(p.netSalesFen)]), { textColumns: 2 })),
    h('section', { class: 'card' },
      h('h2', { text: t('reports.slowMovers') }),
      h('p', { class: 'muted', text: t('reports.slowMoversHint') }),
      report.slowMovers.length
        ? dataTable(t('reports.slowMovers'), [t('field.product'), t('reports.netUnits'), t('reports.netSales')], report.slowMovers.map((p) => [title(p), number(p.netUnits), money(p.netSalesFen)]))
        : h('p', { class: 'muted', text: t('reports.noSlowMovers') })));
}

const grains = ['day', 'week', 'month'];

/** 纵向: each day, week or month of the period against the one before and the same one last year. */
async function renderPeriods(root, filters) {
  const report = await get('/admin/reports/sales', queryOf(filters, { grain: filters.grain }));
  const periods = report.periods || [];
  const name = (p) => (p.periods.current.start === p.periods.current.end ? p.periods.current.start : `${p.periods.current.start} – ${p.periods.current.end}`);
  const short = (p) => p.periods.current.start.slice(5);
  const switcher = h('p', { class: 'order-switch' }, t('reports.grainBy'), ' ',
    grains.map((grain) => (grain === filters.grain
      ? h('strong', { 'aria-current': 'true', text: t(`reports.grain.${grain}`) })
      : link(href('periods', filters, { grain }), t(`reports.grain.${grain}`)))).flatMap((x, i) => (i ? [' · ', x] : [x])));
  const change = (c) => (c ? changeText(c) : '—');
  add(root, switcher,
    h('div', { class: 'report-grid' },
      chartFigure('bar', {
        title: t('reports.chart.periods'), description: t('reports.chart.periodsDesc'), categoryLabel: t('reports.periodColumn'),
        categories: periods.map(short),
        series: [
          { name: t('reports.thisPeriod'), values: periods.map((p) => p.figures.netSalesFen) },
          { name: t('reports.previousPeriod'), values: periods.map((p) => p.previous.netSalesFen) },
          { name: t('reports.samePeriodLastYear'), values: periods.map((p) => p.lastYear.netSalesFen) },
        ],
        format: money, minimumStep: 100,
      }),
      chartFigure('line', {
        title: t('reports.chart.periodOrders'), description: t('reports.chart.periodOrdersDesc'), categoryLabel: t('reports.periodColumn'),
        categories: periods.map(short),
        series: [
          { name: t('reports.orders'), values: periods.map((p) => p.figures.figures.orders) },
          { name: t('reports.previousPeriod'), values: periods.map((p) => p.previous.figures.orders) },
        ],
        format: number, minimumStep: 1,
      })),
    h('section', { class: 'card' },
      h('h2', { text: t('reports.periodTable') }),
      dataTable(t('reports.periodTableCaption'),
        [t('reports.periodColumn'), t('reports.netSales'), t('reports.vsPrevious'), t('reports.vsLastYear'), t('reports.orders'), t('reports.averageOrder')],
        periods.map((p) => [name(p), money(p.figures.netSalesFen), change(p.changes.netSales), change(p.changesOnLastYear.netSales),
          number(p.figures.figures.orders), p.figures.averageOrderFen === null || p.figures.averageOrderFen === undefined ? '—' : money(p.figures.averageOrderFen)]))));
}

function hours(seconds) {
  return seconds === null || seconds === undefined ? '—' : t('reports.hours', { value: (seconds / 3600).toFixed(1) });
}

async function renderAfterSales(root, filters) {
  const report = await get('/admin/reports/after-sales', queryOf(filters));
  const totals = report.totals;
  const row = (name, f) => [name, number(f.cases), number(f.openCases), money(f.refundedFen), percent(f.refundRateBasisPoints), percent(f.caseRateBasisPoints),
    hours(f.medianHandlingSeconds), hours(f.p90HandlingSeconds)];
  const head = (first) => [first, t('reports.as.cases'), t('reports.as.open'), t('reports.refunded'), t('reports.refundRate'), t('reports.as.caseRate'),
    t('reports.as.median'), t('reports.as.p90')];
  add(root,
    totals.cases === 0 ? h('p', { class: 'muted', text: t('reports.as.none') }) : null,
    h('div', { class: 'tiles' },
      tile(t('reports.as.cases'), number(totals.cases), t('reports.as.openHint', { count: number(totals.openCases) }), 'cases'),
      tile(t('reports.refunded'), money(totals.refundedFen), percent(totals.refundRateBasisPoints), 'refunded'),
      tile(t('reports.as.caseRate'), percent(totals.caseRateBasisPoints), null, 'caseRate'),
      tile(t('reports.as.median'), hours(totals.medianHandlingSeconds), t('reports.as.p90Hint', { value: hours(totals.p90HandlingSeconds) }), 'handling')),
    h('div', { class: 'report-grid' },
      chartFigure('donut', {
        title: t('reports.chart.asKinds'), description: t('reports.chart.asKindsDesc'), categoryLabel: t('reports.as.kind'), valueLabel: t('reports.as.cases'),
        slices: report.byKind.map((r) => ({ label: label('afterSalesKind', r.key), value: r.figures.cases })), format: number,
      }),
      chartFigure('bar', {
        title: t('reports.chart.asReasons'), description: t('reports.chart.asReasonsDesc'), categoryLabel: t('reports.as.reason'), horizontal: true,
        categories: report.byReason.map((r) => label('afterSalesReason', r.key)),
        series: [{ name: t('reports.as.cases'), values: report.byReason.map((r) => r.figures.cases) }], format: number, minimumStep: 1,
      })),
    h('section', { class: 'card' }, h('h2', { text: t('reports.as.byStore') }),
      dataTable(t('reports.as.byStore'), head(t('field.store')), report.byStore.map((s) => row(`${s.storeCode} ${s.storeName}`, s.figures)))),
    h('section', { class: 'card' }, h('h2', { text: t('reports.as.byReason') }),
      dataTable(t('reports.as.byReason'), head(t('reports.as.reason')), report.byReason.map((r) => row(label('afterSalesReason', r.key), r.figures)))));
}

async function renderMembers(root, filters) {
  const report = await get('/admin/reports/members', queryOf(filters));
  const f = report.figures;
  add(root,
    h('div', { class: 'tiles' },
      tile(t('reports.mem.new'), number(report.newMembers), null, 'newMembers'),
      tile(t('reports.mem.buyers'), number(f.buyers), t('reports.mem.repeatHint', { count: number(f.repeatBuyers) }), 'buyers'),
      tile(t('reports.mem.repurchase'), percent(f.repurchaseRateBasisPoints), null, 'repurchase'),
      tile(t('reports.mem.newVsReturning'), `${number(f.newCustomers)} / ${number(f.returningCustomers)}`, t('reports.mem.newVsReturningHint'), 'customers')),
    h('div', { class: 'report-grid' },
      chartFigure('donut', {
        title: t('reports.chart.levels'), description: t('reports.chart.levelsDesc'), categoryLabel: t('members.level'), valueLabel: t('segments.members'),
        slices: report.byLevel.map((l) => ({ label: l.name, value: l.members })), format: number,
      }),
      chartFigure('donut', {
        title: t('reports.chart.customers'), description: t('reports.chart.customersDesc'), categoryLabel: t('reports.mem.kind'), valueLabel: t('reports.mem.buyers'),
        slices: [{ label: t('reports.mem.newCustomers'), value: f.newCustomers }, { label: t('reports.mem.returningCustomers'), value: f.returningCustomers }], format: number,
      })));
}
