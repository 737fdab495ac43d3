import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { draw, tabular } from './charts.js';

/**
 * A chart as a figure: the SVG, a tooltip that follows the pointer or the keyboard focus
 * through the marks, and a button that shows the same numbers as a table (also what prints
 * beside the chart when the table is open).
 */
export function chartFigure(kind, spec) {
  // Parsed as XML rather than set as HTML: names in the data were escaped for exactly this parser.
  const parsed = new DOMParser().parseFromString(draw(kind, spec), 'image/svg+xml');
  const svg = document.importNode(parsed.documentElement, true);
  const tooltip = h('div', { class: 'chart-tooltip', role: 'status', hidden: true });
  const canvas = h('div', { class: 'chart-canvas' }, svg, tooltip);
  const showTip = (target) => {
    const title = target?.querySelector?.(':scope > title');
    if (!title || target === svg) { tooltip.hidden = true; return; }
    tooltip.textContent = title.textContent;
    const box = target.getBoundingClientRect();
    const frame = canvas.getBoundingClientRect();
    tooltip.style.left = `${Math.max(0, box.left - frame.left + box.width / 2)}px`;
    tooltip.style.top = `${Math.max(0, box.top - frame.top)}px`;
    tooltip.hidden = false;
  };
  svg.addEventListener('pointerover', (event) => showTip(event.target));
  svg.addEventListener('focusin', (event) => showTip(event.target));
  svg.addEventListener('pointerleave', () => { tooltip.hidden = true; });
  svg.addEventListener('focusout', () => { tooltip.hidden = true; });

  const data = tabular(kind, spec);
  const tableId = uid('chart-data');
  const table = h('div', { class: 'table-scroll chart-table', id: tableId, hidden: true, tabindex: '0', role: 'region', 'aria-label': spec.title },
    h('table', { class: 'data compact' },
      h('caption', { text: spec.title }),
      h('thead', {}, h('tr', {}, data.head.map((text, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : null, text })))),
      h('tbody', {}, data.rows.map((row) => h('tr', {}, row.map((text, i) => (i === 0 ? h('th', { scope: 'row', text }) : h('td', { class: 'num', text }))))))));
  const toggle = h('button', {
    type: 'button', class: 'btn btn-small chart-toggle', 'aria-expanded': 'false', 'aria-controls': tableId,
    onclick: () => {
      table.hidden = !table.hidden;
      toggle.setAttribute('aria-expanded', String(!table.hidden));
      toggle.textContent = table.hidden ? t('chart.showTable') : t('chart.hideTable');
    },
  }, t('chart.showTable'));
  return h('figure', { class: 'chart card', dataset: { chart: kind } },
    h('figcaption', {}, h('span', { class: 'chart-title', text: spec.title }), toggle), canvas, table);
}
