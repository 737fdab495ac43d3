// Account page: the profile's nickname and the address book (add, edit, make default, delete,
// pin to the map) through /api/v1/me. The forms' buttons stay disabled until this script runs,
// so without JavaScript nothing is submitted as a plain form (the page says why).
import { api, el, showProblem, enableScriptControls, problemText } from './mall.js';

/** A failed call in a form: field errors beside their inputs, a red summary, no "saved". */
function report(form, problem) {
  const summary = form.querySelector('.form-errors');
  form.querySelector('.form-message').textContent = '';
  const fieldErrors = problem.errors?.length > 0;
  showProblem(form, { ...problem, detail: fieldErrors ? form.dataset.fix : (problem.detail || problem.title || form.dataset.failed) }, summary);
}

function reportSaved(form) {
  showProblem(form, {}, form.querySelector('.form-errors'));
  form.querySelector('.form-message').textContent = form.dataset.saved;
}

/** Runs `action` with the form's submit button disabled, so a double tap saves once. */
async function busy(form, action) {
  const submit = form.querySelector('[type="submit"]');
  submit.disabled = true;
  try {
    await action();
  } catch (problem) {
    report(form, problem);
  } finally {
    submit.disabled = false;
  }
}

// MARK: Profile

const profile = document.getElementById('profile-form');
profile.addEventListener('submit', (event) => {
  event.preventDefault();
  busy(profile, async () => {
    const saved = await api('PATCH', '/me', { nickname: profile.elements.nickname.value });
    reportSaved(profile);
    // The header shows the member's nickname; keep it in step without a reload.
    const headerName = document.querySelector('.site-nav a[href="/member"]');
    if (headerName && saved?.nickname) headerName.textContent = saved.nickname;
  });
});

// MARK: Address list

const list = document.getElementById('address-list');
const words = list.dataset;
const heading = document.getElementById('addresses-heading');
let addresses = [];

const hasLocation = (address) => Number.isFinite(address.latitude) && Number.isFinite(address.longitude);

async function loadAddresses(focusId) {
  if (!list.children.length) list.replaceChildren(el('li', { class: 'muted' }, words.loading));
  list.setAttribute('aria-busy', 'true');
  try {
    addresses = await api('GET', '/me/addresses');
    list.replaceChildren(...(addresses.length ? addresses.map(addressItem) : [el('li', { class: 'muted' }, words.empty)]));
    const again = focusId && list.querySelector(`[data-address="${CSS.escape(focusId)}"] button`);
    if (again) again.focus();
  } catch (problem) {
    list.replaceChildren(el('li', { class: 'form-errors', role: 'alert' }, problemText(problem, words.failed)));
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

function addressItem(address) {
  const lineId = `address-${address.id}`;
  // 上海市上海市… reads as a typo: a municipality is its own province.
  const region = address.province === address.city ? address.city : address.province + address.city;
  const problemLine = el('p', { class: 'form-errors', role: 'alert' });
  const actions = el('div', { class: 'actions' });
  const item = el('li', { class: 'address-card', 'data-address': address.id },
    el('p', { class: 'address-who' }, el('strong', {}, address.contactName), ' ', address.phone,
      address.isDefault ? el('span', { class: 'badge ok' }, words.default) : null),
    el('p', { id: lineId }, region + address.district + address.detail),
    el('p', {}, el('span', { class: hasLocation(address) ? 'badge ok' : 'badge' }, hasLocation(address) ? words.onMap : words.notOnMap)),
    actions, problemLine);
  const button = (label, onclick, extra = {}) =>
    el('button', { type: 'button', class: 'btn', 'aria-describedby': lineId, onclick, ...extra }, label);

  // Every change reloads the list; a failure stays on this address and the list is kept.
  async function change(action, focusId) {
    problemLine.textContent = '';
    actions.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      await action();
    } catch (problem) {
      problemLine.textContent = problemText(problem, words.failed);
      showActions();
      actions.querySelector('button').focus();
      return;
    }
    if (editing?.id === address.id && !focusId) stopEditing();
    await loadAddresses(focusId);
    if (!focusId) heading.focus();
  }

  function showActions() {
    actions.replaceChildren(...[
      button(words.edit, () => startEditing(address)),
      address.isDefault ? null : button(words.makeDefault, () => change(async () => {
        await api('POST', `/me/addresses/${address.id}/default`);
        if (editing?.id === address.id) f.isDefault.checked = true;
      }, address.id)),
      button(words.delete, confirmDelete)].filter(Boolean));
  }

  function confirmDelete() {
    const cancel = button(words.cancel, () => { showActions(); actions.querySelector('button:last-child').focus(); });
    actions.replaceChildren(
      el('span', { class: 'confirm-text' }, words.confirm),
      button(words.confirmYes, () => change(() => api('DELETE', `/me/addresses/${address.id}`)), { class: 'btn btn-danger' }),
      cancel);
    cancel.focus();
  }

  showActions();
  return item;
}

// MARK: Address form (add, or edit with PUT)

const form = document.getElementById('address-form');
const f = form.elements;
const title = document.getElementById('address-form-title');
const cancelEdit = document.getElementById('address-cancel');
const locationField = form.querySelector('.location-field');
const locationStatus = document.getElementById('addr-location-status');
const locate = document.getElementById('addr-locate');
let editing = null;
// 'device' when the shopper just shared their position, 'saved' when it came with the address
// being edited: a saved position no longer fits once the address text is changed.
let locationSource = null;

function sayLocation(text, problem = false) {
  locationStatus.textContent = text;
  locationStatus.classList.toggle('warning', problem);
}

function setLocation(latitude, longitude, source) {
  f.latitude.value = source ? latitude.toFixed(6) : '';
  f.longitude.value = source ? longitude.toFixed(6) : '';
  locationSource = source;
}

function startEditing(address) {
  editing = address;
  for (const name of ['contactName', 'phone', 'province', 'city', 'district', 'detail']) f[name].value = address[name];
  f.isDefault.checked = address.isDefault;
  if (hasLocation(address)) setLocation(address.latitude, address.longitude, 'saved');
  else setLocation(0, 0, null);
  sayLocation(hasLocation(address) ? locationField.dataset.onMap : '');
  title.textContent = form.dataset.editTitle;
  cancelEdit.hidden = false;
  showProblem(form, {}, form.querySelector('.form-errors'));
  form.querySelector('.form-message').textContent = '';
  title.scrollIntoView({ block: 'start' });
  f.contactName.focus({ preventScroll: true });
}

function stopEditing() {
  editing = null;
  form.reset();
  setLocation(0, 0, null);
  sayLocation('');
  title.textContent = form.dataset.addTitle;
  cancelEdit.hidden = true;
}

cancelEdit.addEventListener('click', () => {
  const id = editing?.id;
  stopEditing();
  showProblem(form, {}, form.querySelector('.form-errors'));
  form.querySelector('.form-message').textContent = '';
  list.querySelector(`[data-address="${CSS.escape(id ?? '')}"] button`)?.focus();
});

for (const name of ['province', 'city', 'district', 'detail']) {
  f[name].addEventListener('input', () => {
    if (locationSource !== 'saved') return;
    setLocation(0, 0, null);
    sayLocation('');
  });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  busy(form, async () => {
    const body = {
      contactName: f.contactName.value, phone: f.phone.value, province: f.province.value, city: f.city.value,
      district: f.district.value, detail: f.detail.value, isDefault: f.isDefault.checked,
    };
    if (f.latitude.value && f.longitude.value) {
      body.latitude = Number(f.latitude.value);
      body.longitude = Number(f.longitude.value);
    }
    if (editing) await api('PUT', `/me/addresses/${editing.id}`, body);
    else await api('POST', '/me/addresses', body);
    stopEditing();
    reportSaved(form);
    await loadAddresses();
  });
});

// "Use my current location" asks for permission only when pressed; the address saves without it.
locate.hidden = false;
document.getElementById('addr-location-hint').hidden = false;
locate.addEventListener('click', () => {
  const texts = locationField.dataset;
  if (!('geolocation' in navigator)) { sayLocation(texts.unavailable, true); return; }
  locate.disabled = true;
  sayLocation(texts.locating);
  navigator.geolocation.getCurrentPosition((position) => {
    locate.disabled = false;
    setLocation(position.coords.latitude, position.coords.longitude, 'device');
    sayLocation(texts.located.replace('{m}', String(Math.max(1, Math.round(position.coords.accuracy)))));
  }, (error) => {
    locate.disabled = false;
    // Browsers also answer PERMISSION_DENIED on an insecure (http) page: that is "unavailable".
    const refused = error.code === error.PERMISSION_DENIED && window.isSecureContext;
    sayLocation(refused ? texts.denied : texts.unavailable, true);
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
});

heading.tabIndex = -1;
enableScriptControls();
loadAddresses();
