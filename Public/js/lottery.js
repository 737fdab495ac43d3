// Lottery page: the wheel is drawn from the prize list the server rendered; "draw" asks the
// server (POST /api/v1/lotteries/{id}/draws), which alone picks the prize with its secure random
// generator. The wheel then turns to the slot the server answered — nothing here is random.
import { api, el, enableScriptControls, problemText, requestKey } from './mall.js';

const SVG = 'http://www.w3.org/2000/svg';
const wheelBox = document.getElementById('wheel');
const prizes = [...document.querySelectorAll('#prize-list li')].map((li) => ({
  kind: li.dataset.kind,
  name: li.querySelector('.prize-name')?.textContent ?? '',
}));
const button = document.getElementById('draw-button');
const result = document.getElementById('draw-result');
const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
const colours = ['#d7263d', '#f4a259', '#2e86ab', '#5b8e7d', '#8e5572', '#e0a458'];
let turned = 0;
let group;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Slice i spans [i, i+1) × 360/n degrees clockwise from the top. */
function drawWheel() {
  if (!wheelBox || prizes.length === 0) return;
  const n = prizes.length;
  const radius = 150;
  const root = svg('svg', { viewBox: '-160 -160 320 320', width: 320, height: 320, 'aria-hidden': 'true' });
  group = svg('g', { class: 'wheel-turn' });
  prizes.forEach((prize, i) => {
    const start = (i / n) * 2 * Math.PI;
    const end = ((i + 1) / n) * 2 * Math.PI;
    const x1 = radius * Math.sin(start); const y1 = -radius * Math.cos(start);
    const x2 = radius * Math.sin(end); const y2 = -radius * Math.cos(end);
    const large = end - start > Math.PI ? 1 : 0;
    const colour = prize.kind === 'nothing' ? '#c9ced6' : colours[i % colours.length];
    group.append(svg('path', { d: `M0 0 L${x1.toFixed(2)} ${y1.toFixed(2)} A${radius} ${radius} 0 ${large} 1 ${x2.toFixed(2)} ${y2.toFixed(2)} Z`, fill: colour, stroke: '#fff', 'stroke-width': 2, 'data-slot': i }));
    const middle = ((i + 0.5) / n) * 360;
    const label = svg('text', { x: 0, y: -radius * 0.62, 'text-anchor': 'middle', 'dominant-baseline': 'middle', transform: `rotate(${middle.toFixed(2)})`, class: 'wheel-label' },
      prize.name.length > 8 ? `${prize.name.slice(0, 7)}…` : prize.name);
    group.append(label);
  });
  root.append(group, svg('circle', { r: 18, fill: '#fff', stroke: '#d7263d', 'stroke-width': 4 }));
  wheelBox.replaceChildren(root);
}

/** Turns the wheel clockwise by whole turns plus what brings `slot`'s middle under the pointer. */
function spinTo(slot) {
  return new Promise((resolve) => {
    const n = prizes.length;
    const middle = ((slot + 0.5) / n) * 360;
    const current = ((turned % 360) + 360) % 360;
    const extra = ((360 - middle - current) % 360 + 360) % 360;
    turned += (reduceMotion ? 0 : 5 * 360) + extra;
    wheelBox.dataset.landed = String(slot);
    if (!group) { resolve(); return; }
    if (reduceMotion) {
      group.style.transform = `rotate(${turned}deg)`;
      resolve();
      return;
    }
    group.addEventListener('transitionend', () => resolve(), { once: true });
    group.style.transform = `rotate(${turned}deg)`;
    // Should the transition not fire (the tab in the background), answer anyway.
    setTimeout(resolve, 4_500);
  });
}

function words(draw) {
  const d = button.dataset;
  switch (draw.prizeKind) {
    case 'points': return d.wonPoints.replace('{n}', String(draw.points));
    case 'sku': return d.wonItem.replace('{name}', draw.prizeName);
    default: return draw.fallback ? d.fallback : d.wonNothing;
  }
}

/** `yyyy-MM-dd HH:mm` in the shop's time zone, like the rows the server wrote. */
function shopTime(iso, timeZone) {
  const parts = {};
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso)).forEach((p) => { parts[p.type] = p.value; });
  } catch {
    return new Date(iso).toLocaleString();
  }
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

drawWheel();

if (button) {
  let key = requestKey('draw');
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.textContent = button.dataset.drawing;
    result.classList.remove('won');
    let outcome;
    try {
      outcome = await api('POST', `/lotteries/${button.dataset.lottery}/draws`, undefined, { 'Idempotency-Key': key });
      key = requestKey('draw');
    } catch (problem) {
      if (problem.status && problem.status < 500) key = requestKey('draw');
      result.textContent = problemText(problem, button.dataset.failed);
      button.disabled = false;
      return;
    }
    await spinTo(outcome.draw.landingSlot);
    const draw = outcome.draw;
    const text = words(draw);
    result.replaceChildren(el('strong', {}, text),
      ...(draw.orderId ? [' ', el('a', { href: `/orders/${draw.orderId}` }, button.dataset.seeOrder)] : []));
    if (draw.prizeKind !== 'nothing') result.classList.add('won');
    result.dataset.prizeKind = draw.prizeKind;
    document.getElementById('lottery-balance').textContent = String(outcome.balance);
    document.getElementById('lottery-remaining').textContent = String(outcome.remainingToday);
    const history = document.getElementById('draw-history');
    if (history) {
      document.getElementById('no-draws')?.remove();
      history.prepend(el('li', {}, el('span', { class: 'muted' }, shopTime(draw.createdAt, history.dataset.timeZone)), ' ', text));
    }
    button.disabled = outcome.remainingToday <= 0;
  });
  enableScriptControls(button.parentElement);
}
