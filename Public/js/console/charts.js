// Charts for the console's reports, drawn as SVG markup from plain numbers. The module touches
// no DOM and no globals, so the same code runs in the browser and under `node --test`; the
// console turns the markup into elements (`chart-figure.js`). Every chart carries a <title>
// and <desc> for screen readers, a <title> on each mark (the pointer's tooltip, read aloud on
// focus), and `tabular(spec)` gives the same numbers as a table for the data-table toggle.

// Okabe–Ito: told apart with the common colour-vision deficiencies and in greyscale print.
export const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7A6A00', '#555555'];

const size = { width: 640, height: 280 };
const margin = { top: 16, right: 16, bottom: 44, left: 72 };

export function escapeXML(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const plain = (value) => String(value);

/** Rounds for the eye: an SVG full of 17-digit coordinates is large and diffs badly. */
function r(value) {
  return Math.round(value * 10) / 10;
}

let chartCounter = 0;
function chartId(prefix) {
  chartCounter += 1;
  return `${prefix}-${chartCounter}`;
}

/**
 * Axis bounds and ticks on round numbers (1, 2 or 5 times a power of ten) that cover
 * `min…max` and zero, since bars and amounts are read against zero.
 */
export function niceTicks(min, max, count = 5, minimumStep = 0) {
  let low = Math.min(0, min);
  let high = Math.max(0, max);
  if (!Number.isFinite(low) || !Number.isFinite(high)) { low = 0; high = 0; }
  if (low === high) high = low + Math.max(1, minimumStep * count);
  const rough = (high - low) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const residual = rough / magnitude;
  // `minimumStep` keeps amounts in fen on whole yuan: no axis of ¥0.01 steps.
  const step = Math.max(minimumStep, (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1) * magnitude);
  const start = Math.floor(low / step) * step;
  const end = Math.ceil(high / step) * step;
  const ticks = [];
  // Multiples of the step, rounded off binary fractions (3 × 0.2 is 0.6000000000000001).
  for (let k = Math.round(start / step); k <= Math.round(end / step); k += 1) ticks.push(Number((k * step).toPrecision(12)));
  return { min: start, max: end, step, ticks };
}

function frame(id, title, description, body, { width = size.width, height = size.height } = {}) {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 ${width} ${height}" role="img" `
    + `aria-labelledby="${id}-title ${id}-desc" focusable="false">`
    + `<title id="${id}-title">${escapeXML(title)}</title><desc id="${id}-desc">${escapeXML(description)}</desc>${body}</svg>`;
}

function mark(shape, tip) {
  return shape.replace(/\/>$/, `><title>${escapeXML(tip)}</title></${shape.match(/^<(\w+)/)[1]}>`);
}

/** Shows every k-th of many category labels so they do not overlap. */
function labelStride(count, room, labelWidth = 56) {
  return Math.max(1, Math.ceil(count / Math.max(1, Math.floor(room / labelWidth))));
}

/** Roughly how wide a label draws at 12px: CJK characters take about twice a Latin letter. */
export function textWidth(text) {
  let width = 0;
  for (const c of String(text ?? '')) width += /[\u2E80-\uFFEF]/.test(c) ? 12 : 7;
  return width;
}

function truncate(text, length) {
  const value = String(text ?? '');
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

function valueAxis(scale, y, format, plotLeft, plotRight) {
  return scale.ticks.map((tick) => {
    const at = r(y(tick));
    return `<line class="grid${tick === 0 ? ' zero' : ''}" x1="${plotLeft}" x2="${plotRight}" y1="${at}" y2="${at}"/>`
      + `<text class="tick" x="${plotLeft - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${escapeXML(format(tick))}</text>`;
  }).join('');
}

function legend(series, y) {
  if (series.length < 2) return '';
  let x = margin.left;
  return `<g class="legend">${series.map((s, i) => {
    const item = `<rect x="${x}" y="${y}" width="12" height="12" fill="${s.color || palette[i % palette.length]}"/>`
      + `<text x="${x + 16}" y="${y + 10}">${escapeXML(s.name)}</text>`;
    x += 28 + textWidth(s.name);
    return item;
  }).join('')}</g>`;
}

/**
 * Lines over shared categories (days). `series`: [{ name, values: [number|null] }] aligned
 * with `categories`; a null leaves a gap.
 */
export function lineChart({ title, description = '', categories, series, format = plain, minimumStep = 0 }) {
  const id = chartId('line');
  const legendRoom = series.length > 1 ? 20 : 0;
  const bottom = size.height - margin.bottom - legendRoom;
  const [left, right] = [margin.left, size.width - margin.right];
  const values = series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined));
  const scale = niceTicks(Math.min(...values, 0), Math.max(...values, 0), 5, minimumStep);
  const y = (v) => bottom - ((v - scale.min) / (scale.max - scale.min)) * (bottom - margin.top);
  const step = categories.length > 1 ? (right - left) / (categories.length - 1) : 0;
  const x = (i) => (categories.length > 1 ? left + i * step : (left + right) / 2);
  const stride = labelStride(categories.length, right - left);
  const xLabels = categories.map((c, i) => (i % stride === 0
    ? `<text class="tick" x="${r(x(i))}" y="${bottom + 16}" text-anchor="middle">${escapeXML(c)}</text>` : '')).join('');
  const lines = series.map((s, n) => {
    const color = s.color || palette[n % palette.length];
    const segments = [];
    let current = [];
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) { if (current.length) segments.push(current); current = []; return; }
      current.push(`${r(x(i))},${r(y(v))}`);
    });
    if (current.length) segments.push(current);
    const paths = segments.map((points) => `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`).join('');
    // Points are drawn only where few enough to aim at; each still carries its tooltip.
    const radius = categories.length > 60 ? 1.5 : 3;
    const dots = s.values.map((v, i) => (v === null || v === undefined ? ''
      : mark(`<circle class="point" tabindex="0" cx="${r(x(i))}" cy="${r(y(v))}" r="${radius}" fill="${color}"/>`,
        `${s.name ? `${s.name} · ` : ''}${categories[i]}: ${format(v)}`))).join('');
    return `<g class="line" data-series="${escapeXML(s.name)}">${paths}${dots}</g>`;
  }).join('');
  return frame(id, title, description,
    `<g class="axis">${valueAxis(scale, y, format, left, right)}${xLabels}</g>${lines}${legend(series, size.height - 16)}`);
}

/**
 * Bars per category, side by side per series or `stacked`; `horizontal` puts long category
 * names (stores, products) down the left. Negative values grow below (or left of) zero.
 */
export function barChart({ title, description = '', categories, series, format = plain, stacked = false, horizontal = false, minimumStep = 0 }) {
  const id = chartId('bar');
  const legendRoom = series.length > 1 ? 20 : 0;
  const height = horizontal ? Math.max(size.height, margin.top + margin.bottom + legendRoom + categories.length * 26) : size.height;
  const left = horizontal ? 168 : margin.left;
  // A horizontal value axis ends in a label centred on the last tick: room for half of it.
  const right = size.width - (horizontal ? 40 : margin.right);
  const [top, bottom] = [margin.top, height - margin.bottom - legendRoom];
  const totals = categories.map((_, i) => {
    if (!stacked) return series.map((s) => s.values[i] ?? 0);
    let up = 0;
    let down = 0;
    for (const s of series) { const v = s.values[i] ?? 0; if (v >= 0) up += v; else down += v; }
    return [up, down];
  }).flat();
  const scale = niceTicks(Math.min(...totals, 0), Math.max(...totals, 0), 5, minimumStep);
  const band = ((horizontal ? bottom - top : right - left) / Math.max(1, categories.length));
  const gap = band * 0.2;
  const slot = stacked ? band - gap : (band - gap) / Math.max(1, series.length);
  // Value → position on the value axis (y when vertical, x when horizontal).
  const extent = horizontal ? [left, right] : [bottom, top];
  const at = (v) => extent[0] + ((v - scale.min) / (scale.max - scale.min)) * (extent[1] - extent[0]);
  const bars = [];
  categories.forEach((category, i) => {
    let up = 0;
    let down = 0;
    series.forEach((s, n) => {
      const v = s.values[i] ?? 0;
      let from;
      let to;
      if (stacked) {
        from = v >= 0 ? up : down;
        to = from + v;
        if (v >= 0) up = to; else down = to;
      } else {
        from = 0;
        to = v;
      }
      const offset = i * band + gap / 2 + (stacked ? 0 : n * slot);
      const [a, b] = [at(from), at(to)];
      const color = s.color || palette[n % palette.length];
      const tip = `${category}${s.name ? ` · ${s.name}` : ''}: ${format(v)}`;
      const rect = horizontal
        ? `<rect class="bar" tabindex="0" x="${r(Math.min(a, b))}" y="${r(top + offset)}" width="${r(Math.abs(b - a))}" height="${r(slot)}" fill="${color}"/>`
        : `<rect class="bar" tabindex="0" x="${r(left + offset)}" y="${r(Math.min(a, b))}" width="${r(slot)}" height="${r(Math.abs(b - a))}" fill="${color}"/>`;
      bars.push(mark(rect, tip));
    });
  });
  let axis;
  if (horizontal) {
    axis = scale.ticks.map((tick) => `<line class="grid${tick === 0 ? ' zero' : ''}" x1="${r(at(tick))}" x2="${r(at(tick))}" y1="${top}" y2="${bottom}"/>`
      + `<text class="tick" x="${r(at(tick))}" y="${bottom + 16}" text-anchor="middle">${escapeXML(format(tick))}</text>`).join('')
      + categories.map((c, i) => `<text class="tick" x="${left - 6}" y="${r(top + i * band + band / 2)}" text-anchor="end" dominant-baseline="middle">`
        + `${escapeXML(truncate(c, 14))}</text>`).join('');
  } else {
    const stride = labelStride(categories.length, right - left);
    axis = valueAxis(scale, at, format, left, right) + categories.map((c, i) => (i % stride === 0
      ? `<text class="tick" x="${r(left + i * band + band / 2)}" y="${bottom + 16}" text-anchor="middle">${escapeXML(truncate(c, 8))}</text>` : '')).join('');
  }
  return frame(id, title, description, `<g class="axis">${axis}</g><g class="bars">${bars.join('')}</g>${legend(series, height - 16)}`, { height });
}

/** A ring of shares. Slices of zero or less are left out of the ring but kept in the table. */
export function donutChart({ title, description = '', slices, format = plain, centre }) {
  const id = chartId('donut');
  const shown = slices.filter((s) => s.value > 0);
  const total = shown.reduce((sum, s) => sum + s.value, 0);
  const [cx, cy, outer, inner] = [140, 140, 110, 66];
  let angle = -Math.PI / 2;
  const point = (radius, a) => `${r(cx + radius * Math.cos(a))},${r(cy + radius * Math.sin(a))}`;
  const arcs = shown.map((s, i) => {
    const sweep = (s.value / total) * Math.PI * 2;
    const color = s.color || palette[slices.indexOf(s) % palette.length];
    const share = Math.round((s.value / total) * 1000) / 10;
    const tip = `${s.label}: ${format(s.value)} (${share}%)`;
    let shape;
    if (shown.length === 1) {
      // A single slice is a whole ring, which one arc command cannot draw.
      shape = `<circle class="slice" tabindex="0" cx="${cx}" cy="${cy}" r="${(outer + inner) / 2}" fill="none" stroke="${color}" stroke-width="${outer - inner}"/>`;
    } else {
      const end = angle + sweep;
      const large = sweep > Math.PI ? 1 : 0;
      shape = `<path class="slice" tabindex="0" fill="${color}" d="M${point(outer, angle)} A${outer},${outer} 0 ${large} 1 ${point(outer, end)} `
        + `L${point(inner, end)} A${inner},${inner} 0 ${large} 0 ${point(inner, angle)} Z"/>`;
      angle = end;
    }
    return mark(shape, tip);
  }).join('');
  const legendItems = slices.map((s, i) => {
    const share = total > 0 && s.value > 0 ? ` (${Math.round((s.value / total) * 1000) / 10}%)` : '';
    return `<rect x="290" y="${40 + i * 24}" width="12" height="12" fill="${s.color || palette[i % palette.length]}"/>`
      + `<text x="308" y="${50 + i * 24}">${escapeXML(truncate(s.label, 18))}: ${escapeXML(format(s.value))}${share}</text>`;
  }).join('');
  const height = Math.max(size.height, 60 + slices.length * 24);
  const middle = total > 0
    ? `<text class="centre" x="${cx}" y="${cy}" text-anchor="middle" dominant-baseline="middle">${escapeXML(centre ?? format(total))}</text>`
    : `<circle class="empty-ring" cx="${cx}" cy="${cy}" r="${(outer + inner) / 2}" fill="none" stroke-width="${outer - inner}"/>`;
  return frame(id, title, description, `<g class="slices">${arcs}</g>${middle}<g class="legend">${legendItems}</g>`, { height });
}

/**
 * A grid of cells shaded by value, e.g. weekday rows × hour columns. `values[row][column]`.
 * Darker is more; the legend gives the scale's ends.
 */
export function heatmap({ title, description = '', rows, columns, values, format = plain }) {
  const id = chartId('heat');
  const left = 72;
  const top = 24;
  const cellWidth = (size.width - left - margin.right) / Math.max(1, columns.length);
  const cellHeight = 26;
  const flat = values.flat().filter((v) => Number.isFinite(v));
  const max = Math.max(0, ...flat);
  const shade = (v) => {
    if (!(v > 0) || max === 0) return '#f2f5f8';
    // Lightness from 92% down to 30%: even the smallest non-zero cell differs from an empty one.
    const lightness = 92 - Math.round((v / max) * 62);
    return `hsl(205, 70%, ${lightness}%)`;
  };
  const stride = labelStride(columns.length, size.width - left - margin.right, 22);
  const head = columns.map((c, j) => (j % stride === 0
    ? `<text class="tick" x="${r(left + j * cellWidth + cellWidth / 2)}" y="${top - 8}" text-anchor="middle">${escapeXML(c)}</text>` : '')).join('');
  const cells = rows.map((row, i) => `<text class="tick" x="${left - 6}" y="${r(top + i * cellHeight + cellHeight / 2)}" text-anchor="end" dominant-baseline="middle">${escapeXML(row)}</text>`
    + columns.map((column, j) => {
      const v = values[i]?.[j] ?? 0;
      return mark(`<rect class="cell" tabindex="0" x="${r(left + j * cellWidth)}" y="${top + i * cellHeight}" width="${r(cellWidth - 1)}" height="${cellHeight - 1}" fill="${shade(v)}"/>`,
        `${row} ${column}: ${format(v)}`);
    }).join('')).join('');
  const legendY = top + rows.length * cellHeight + 14;
  const scaleLegend = `<g class="legend"><text x="${left}" y="${legendY + 10}">${escapeXML(format(0))}</text>`
    + [0.25, 0.5, 0.75, 1].map((f, k) => `<rect x="${left + 60 + k * 20}" y="${legendY}" width="18" height="12" fill="${shade(max * f)}"/>`).join('')
    + `<text x="${left + 146}" y="${legendY + 10}">${escapeXML(format(max))}</text></g>`;
  return frame(id, title, description, `<g class="axis">${head}</g><g class="cells">${cells}</g>${scaleLegend}`, { height: legendY + 28 });
}

/**
 * The chart's numbers as a table: `{ head, rows }` of display strings, the data-table toggle's
 * content and what a screen reader user compares instead of shapes.
 */
export function tabular(kind, spec) {
  const format = spec.format || plain;
  switch (kind) {
    case 'line':
    case 'bar':
      return {
        head: [spec.categoryLabel || '', ...spec.series.map((s) => s.name || spec.valueLabel || '')],
        rows: spec.categories.map((c, i) => [String(c), ...spec.series.map((s) => (s.values[i] === null || s.values[i] === undefined ? '' : format(s.values[i])))]),
      };
    case 'donut': {
      const total = spec.slices.reduce((sum, s) => sum + Math.max(0, s.value), 0);
      return {
        head: [spec.categoryLabel || '', spec.valueLabel || '', '%'],
        rows: spec.slices.map((s) => [String(s.label), format(s.value), total > 0 && s.value > 0 ? `${Math.round((s.value / total) * 1000) / 10}%` : '']),
      };
    }
    case 'heatmap':
      return { head: [spec.categoryLabel || '', ...spec.columns.map(String)], rows: spec.rows.map((row, i) => [String(row), ...spec.columns.map((_, j) => format(spec.values[i]?.[j] ?? 0))]) };
    default:
      throw new Error(`unknown chart kind ${kind}`);
  }
}

/** Draws `spec` as `kind` ('line', 'bar', 'donut', 'heatmap'). */
export function draw(kind, spec) {
  switch (kind) {
    case 'line': return lineChart(spec);
    case 'bar': return barChart(spec);
    case 'donut': return donutChart(spec);
    case 'heatmap': return heatmap(spec);
    default: throw new Error(`unknown chart kind ${kind}`);
  }
}
