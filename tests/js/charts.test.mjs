// The console's SVG charts: numbers land where they should, text cannot inject markup, and the
// data table holds what the chart shows. Run with `node --test tests/js/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textWidth, niceTicks, lineChart, barChart, donutChart, heatmap, tabular, escapeXML, draw } from '../../Public/js/console/charts.js';

/** Checks the markup is well-formed XML (tags balance, attributes quoted, text escaped) and returns its elements. */
function parse(svg) {
  const elements = [];
  const stack = [];
  const token = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match;
  let end = 0;
  while ((match = token.exec(svg))) {
    end = token.lastIndex;
    const [, closing, name, attributes, selfClosing, text] = match;
    if (text !== undefined) {
      assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|#39);)/, `unescaped & in ${text}`);
      if (stack.length) stack[stack.length - 1].text += text;
      continue;
    }
    if (closing) {
      const open = stack.pop();
      assert.equal(open?.name, name, `</${name}> closes <${open?.name}>`);
      continue;
    }
    const attrs = Object.fromEntries([...attributes.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const element = { name, attrs, text: '', children: [] };
    if (stack.length) stack[stack.length - 1].children.push(element);
    elements.push(element);
    if (!selfClosing) stack.push(element);
  }
  assert.equal(end, svg.length, `unparsable markup at ${svg.slice(end, end + 40)}`);
  assert.equal(stack.length, 0, 'unclosed elements');
  return elements;
}

const titleOf = (element) => element.children.find((c) => c.name === 'title')?.text;

test('axis ticks are round numbers that cover the data and zero', () => {
  assert.deepEqual(niceTicks(0, 87), { min: 0, max: 100, step: 20, ticks: [0, 20, 40, 60, 80, 100] });
  const mixed = niceTicks(-1200, 4800);
  assert.ok(mixed.min <= -1200 && mixed.max >= 4800 && mixed.ticks.includes(0));
  assert.deepEqual(niceTicks(0, 0).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.ok(niceTicks(5, 5).ticks.at(-1) >= 5);
  // Amounts in fen stay on whole yuan, even when every value is zero.
  assert.deepEqual(niceTicks(0, 0, 5, 100).ticks, [0, 100, 200, 300, 400, 500]);
  assert.deepEqual(niceTicks(0, 250, 5, 100).ticks, [0, 100, 200, 300]);
});

test('a line chart puts each value at its height and says it in the tooltip', () => {
  const svg = lineChart({ title: 'Net sales', categories: ['11-01', '11-02', '11-03'], series: [{ name: 'Net', values: [0, 50, 100] }], format: (v) => `¥${v}` });
  const elements = parse(svg);
  const root = elements[0];
  assert.equal(root.attrs.role, 'img');
  assert.equal(titleOf(root), 'Net sales');
  const points = elements.filter((e) => e.name === 'circle');
  assert.equal(points.length, 3);
  const ys = points.map((p) => Number(p.attrs.cy));
  // Equal steps in value are equal steps on the page, and larger values sit higher.
  assert.ok(ys[0] > ys[1] && ys[1] > ys[2]);
  assert.ok(Math.abs((ys[0] - ys[1]) - (ys[1] - ys[2])) < 0.2);
  assert.deepEqual(points.map(titleOf), ['Net · 11-01: ¥0', 'Net · 11-02: ¥50', 'Net · 11-03: ¥100']);
  assert.ok(points.every((p) => p.attrs.tabindex === '0'));
});

test('legend entries leave room for Chinese names, which draw about twice as wide', () => {
  assert.equal(textWidth('退款订单'), 48);
  assert.equal(textWidth('Orders'), 42);
  const elements = parse(barChart({ title: 't', categories: ['a'], series: [{ name: '订单数', values: [1] }, { name: '退款订单', values: [0] }] }));
  const [first, second] = elements.filter((e) => e.name === 'text' && (e.text === '订单数' || e.text === '退款订单')).map((e) => Number(e.attrs.x));
  assert.ok(second - first >= textWidth('订单数') + 12);
});

test('a gap in a line series breaks the line instead of drawing through it', () => {
  const elements = parse(lineChart({ title: 't', categories: ['a', 'b', 'c', 'd'], series: [{ name: 's', values: [1, null, 3, 4] }] }));
  const lines = elements.filter((e) => e.name === 'polyline');
  assert.deepEqual(lines.map((l) => l.attrs.points.split(' ').length), [1, 2]);
});

test('bars are proportional to their values and a negative value grows below zero', () => {
  const elements = parse(barChart({ title: 'Stores', categories: ['A', 'B', 'C'], series: [{ name: 'Net', values: [100, 50, -50] }] }));
  const bars = elements.filter((e) => e.name === 'rect' && e.attrs.class === 'bar');
  const heights = bars.map((b) => Number(b.attrs.height));
  assert.ok(Math.abs(heights[0] - 2 * heights[1]) < 0.3);
  assert.ok(Math.abs(heights[1] - heights[2]) < 0.3);
  const zeroLine = elements.find((e) => e.name === 'line' && e.attrs.class === 'grid zero');
  const zeroY = Number(zeroLine.attrs.y1);
  assert.ok(Math.abs(Number(bars[0].attrs.y) + heights[0] - zeroY) < 0.2, 'the positive bar stands on zero');
  assert.ok(Math.abs(Number(bars[2].attrs.y) - zeroY) < 0.2, 'the negative bar hangs from zero');
});

test('stacked bars sum per category and horizontal bars list long names down the left', () => {
  const spec = { title: 'Channels', categories: ['Store A', 'Store B'], series: [{ name: 'Delivery', values: [30, 10] }, { name: 'Pickup', values: [10, 10] }], stacked: true, horizontal: true };
  const elements = parse(barChart(spec));
  const bars = elements.filter((e) => e.name === 'rect' && e.attrs.class === 'bar');
  assert.equal(bars.length, 4);
  const widthOf = (i) => Number(bars[i].attrs.width);
  // Store A's stack (30 + 10) is twice Store B's (10 + 10); the second segment starts where the first ends.
  assert.ok(Math.abs((widthOf(0) + widthOf(1)) - 2 * (widthOf(2) + widthOf(3))) < 0.5);
  assert.ok(Math.abs(Number(bars[0].attrs.x) + widthOf(0) - Number(bars[1].attrs.x)) < 0.2);
  assert.equal(titleOf(bars[1]), 'Store A · Pickup: 10');
  const legend = elements.filter((e) => e.name === 'text' && (e.text === 'Delivery' || e.text === 'Pickup'));
  assert.equal(legend.length, 2);
});

test('a donut\'s slices take their share of the ring and the legend gives the percentages', () => {
  const elements = parse(donutChart({ title: 'Mix', slices: [{ label: 'Fruit', value: 300 }, { label: 'Dairy', value: 100 }, { label: 'None', value: 0 }] }));
  const slices = elements.filter((e) => e.attrs.class === 'slice');
  assert.equal(slices.length, 2);
  assert.deepEqual(slices.map(titleOf), ['Fruit: 300 (75%)', 'Dairy: 100 (25%)']);
  // Three quarters of the ring is more than half a turn: the large-arc flag is set.
  assert.match(slices[0].attrs.d, / 0 1 1 /);
  assert.match(slices[1].attrs.d, / 0 0 1 /);
  assert.ok(elements.some((e) => e.name === 'text' && e.text === 'None: 0'));
  const single = parse(donutChart({ title: 'One', slices: [{ label: 'Only', value: 5 }] }));
  assert.equal(single.filter((e) => e.attrs.class === 'slice' && e.name === 'circle').length, 1);
  const empty = parse(donutChart({ title: 'Nothing', slices: [] }));
  assert.ok(empty.some((e) => e.attrs.class === 'empty-ring'));
});

test('a heat map shades more as darker and keeps empty cells apart from small ones', () => {
  const elements = parse(heatmap({ title: 'Hours', rows: ['Mon', 'Tue'], columns: ['9', '10', '11'], values: [[0, 1, 10], [5, 0, 0]] }));
  const cells = elements.filter((e) => e.attrs.class === 'cell');
  assert.equal(cells.length, 6);
  const lightness = (cell) => (cell.attrs.fill.startsWith('hsl') ? Number(cell.attrs.fill.match(/(\d+)%\)$/)[1]) : 100);
  assert.ok(lightness(cells[2]) < lightness(cells[3]) && lightness(cells[3]) < lightness(cells[1]) && lightness(cells[1]) < lightness(cells[0]));
  assert.equal(titleOf(cells[5]), 'Tue 11: 0');
});

test('names from the data are escaped, never markup', () => {
  const hostile = '<script>alert(1)</script> & "quoted"';
  for (const [kind, spec] of [
    ['line', { title: hostile, categories: [hostile], series: [{ name: hostile, values: [1] }] }],
    ['bar', { title: hostile, categories: [hostile], series: [{ name: hostile, values: [1] }, { name: 'b', values: [2] }], horizontal: true }],
    ['donut', { title: hostile, slices: [{ label: hostile, value: 1 }] }],
    ['heatmap', { title: hostile, rows: [hostile], columns: [hostile], values: [[1]] }],
  ]) {
    const svg = draw(kind, spec);
    assert.doesNotMatch(svg, /<script/);
    const elements = parse(svg);
    assert.ok(!elements.some((e) => e.name === 'script'));
    assert.equal(titleOf(elements[0]), escapeXML(hostile));
  }
});

test('the data table holds the numbers the chart draws', () => {
  const format = (v) => `¥${(v / 100).toFixed(2)}`;
  assert.deepEqual(tabular('line', { categoryLabel: 'Day', categories: ['11-01', '11-02'], series: [{ name: 'Net sales', values: [1250, null] }], format }),
    { head: ['Day', 'Net sales'], rows: [['11-01', '¥12.50'], ['11-02', '']] });
  assert.deepEqual(tabular('donut', { categoryLabel: 'Channel', valueLabel: 'Net', slices: [{ label: 'Pickup', value: 300 }, { label: 'Delivery', value: 100 }], format }).rows,
    [['Pickup', '¥3.00', '75%'], ['Delivery', '¥1.00', '25%']]);
  assert.deepEqual(tabular('heatmap', { categoryLabel: '', rows: ['Mon'], columns: ['9', '10'], values: [[0, 250]], format }).rows, [['Mon', '¥0.00', '¥2.50']]);
});
