// Coupons: the coupon centre (claim) and "my coupons" (usable / used / expired, and redeeming a
// code). The words come from the page's data attributes, the coupons from the API.
import { api, el, enableScriptControls, problemText, showProblem } from './mall.js';
import { couponValue, couponCondition, say } from './coupon-words.js';

const date = (iso) => new Date(iso).toLocaleDateString(document.documentElement.lang);

function card(coupon, words, ...extra) {
  return el('li', { class: 'coupon-card', 'data-coupon': coupon.id },
    el('p', { class: 'coupon-value price' }, couponValue(coupon, words)),
    el('p', { class: 'coupon-title' }, coupon.title),
    el('p', { class: 'muted' }, couponCondition(coupon, words)),
    ...extra);
}

async function centre(list) {
  const words = list.dataset;
  list.replaceChildren(el('li', { class: 'muted' }, words.loading));
  let templates;
  try {
    templates = await api('GET', '/coupons');
  } catch (problem) {
    list.replaceChildren(el('li', { class: 'form-errors' }, problemText(problem, words.failed)));
    return;
  }
  if (!templates.length) { list.replaceChildren(el('li', { class: 'empty' }, words.empty)); return; }
  const signedIn = document.body.dataset.member === '1';
  list.replaceChildren(...templates.map((template) => {
    const left = template.totalQuantity - template.claimedCount;
    const validity = template.validDays ? say(words.validDays, { days: template.validDays }) : say(words.validUntil, { date: date(template.validUntil) });
    const status = el('p', { class: 'coupon-status', role: 'status' });
    const held = template.claimedByMe ?? 0;
    const button = el('button', { class: 'btn btn-primary', type: 'button', disabled: left <= 0 || held >= template.perMemberLimit },
      held >= template.perMemberLimit ? words.claimed : words.claim);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api('POST', `/coupons/${encodeURIComponent(template.id)}/claims`);
        button.textContent = words.claimed;
        status.textContent = words.claimed;
      } catch (problem) {
        if (problem.status === 401) { window.location.href = `/login?next=${encodeURIComponent('/coupons')}`; return; }
        status.textContent = problemText(problem, words.failed);
        button.disabled = false;
      }
    });
    return card(template, words, el('p', { class: 'muted' }, validity, ' · ', say(words.left, { count: Math.max(0, left) })),
      signedIn ? button : el('a', { class: 'btn btn-primary', href: `/login?next=${encodeURIComponent('/coupons')}` }, words.signIn), status);
  }));
}

async function mine(list) {
  const words = list.dataset;
  const tabs = [...document.querySelectorAll('[role=tab][data-status]')];
  let current = 'usable';
  async function load() {
    list.replaceChildren(el('li', { class: 'muted' }, words.loading));
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await api('GET', `/me/coupons?status=${current}&per=100`);
      list.replaceChildren(...(page.items.length ? page.items.map((coupon) => card(coupon, words,
        el('p', { class: 'muted' }, say(words.validUntil, { date: date(coupon.validUntil) })),
        coupon.status === 'locked' ? el('p', { class: 'badge' }, words.locked) : null,
        coupon.status === 'used' ? el('p', { class: 'badge' }, words.statusUsed) : null,
        coupon.status === 'expired' || current === 'expired' ? el('p', { class: 'badge' }, words.statusExpired) : null))
        : [el('li', { class: 'empty' }, words.empty)]));
    } catch (problem) {
      list.replaceChildren(el('li', { class: 'form-errors' }, problemText(problem, words.failed)));
    } finally {
      list.setAttribute('aria-busy', 'false');
    }
  }
  for (const tab of tabs) {
    tab.addEventListener('click', () => {
      current = tab.dataset.status;
      tabs.forEach((t) => t.setAttribute('aria-selected', String(t === tab)));
      load();
    });
  }
  const form = document.getElementById('coupon-redeem');
  const errors = document.getElementById('coupon-redeem-errors');
  const status = document.getElementById('coupon-redeem-status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.textContent = '';
    status.textContent = '';
    const input = document.getElementById('coupon-code');
    try {
      const coupon = await api('POST', '/me/coupons/redemptions', { code: input.value });
      status.textContent = say(status.dataset.redeemed, { title: coupon.title });
      input.value = '';
      if (current === 'usable') await load();
    } catch (problem) {
      showProblem(form, problem, errors);
    }
  });
  await load();
}

const centreList = document.getElementById('coupon-centre');
if (centreList) centre(centreList);
const myList = document.getElementById('my-coupons');
if (myList) mine(myList);
enableScriptControls();
