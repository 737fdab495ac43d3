// Merchant onboarding (商家入驻): sends the form to the public API, uploads the papers with the
// follow-up token it answers, and follows the application. The token stays in this browser
// (localStorage) and in the follow-up link's fragment, which browsers never send to a server.
import { api, csrfToken, el, enableScriptControls, problemText, showProblem } from './mall.js';

const root = document.getElementById('merchant-apply');
const form = document.getElementById('apply-form');
const words = root.dataset;
const storageKey = (id) => `merchantApplication:${id}`;

function body() {
  const value = (name) => form.elements[name]?.value.trim() ?? '';
  const optional = (name) => value(name) || null;
  return {
    companyName: value('companyName'), creditCode: value('creditCode'), legalRepresentative: value('legalRepresentative'),
    contactName: value('contactName'), contactPhone: value('contactPhone'), contactEmail: optional('contactEmail'),
    categoryId: value('categoryId'), brandName: optional('brandName'), description: optional('description'),
    bankAccount: {
      accountName: value('bankAccount.accountName'), bankName: value('bankAccount.bankName'),
      branchName: value('bankAccount.branchName'), accountNumber: value('bankAccount.accountNumber'),
    },
    stores: storeFieldsets().map((_, i) => ({
      name: value(`stores[${i}].name`), province: value(`stores[${i}].province`), city: value(`stores[${i}].city`),
      district: value(`stores[${i}].district`), address: value(`stores[${i}].address`),
      latitude: Number(value(`stores[${i}].latitude`) || NaN), longitude: Number(value(`stores[${i}].longitude`) || NaN),
      phone: value(`stores[${i}].phone`),
    })),
  };
}

// Intended stores: the page renders the first; the applicant adds up to the API's ten and
// removes any but the last one left. Fields are renumbered so the names match the body's
// `stores[i]` and a problem's field (`stores[1].city`) finds its input.
const maxStores = 10;
const storeKeys = ['name', 'province', 'city', 'district', 'address', 'latitude', 'longitude', 'phone'];
const firstStore = form.elements['stores[0].name']?.closest('fieldset');
const storeTemplate = firstStore?.cloneNode(true);
const addStoreButton = el('button', { type: 'button', class: 'btn', id: 'apply-add-store' }, words.storeAdd);

function storeFieldsets() {
  return [...form.querySelectorAll('fieldset[data-store]')];
}

function renumberStores() {
  const sets = storeFieldsets();
  sets.forEach((set, i) => {
    set.querySelector('legend').textContent = sets.length > 1 ? words.storeNumbered.replace('{n}', i + 1) : words.storeTitle;
    for (const node of set.querySelectorAll('[name^="stores["]')) node.name = node.name.replace(/^stores\[\d+\]/, `stores[${i}]`);
    for (const attribute of ['id', 'for', 'aria-describedby']) {
      for (const node of set.querySelectorAll(`[${attribute}]`)) {
        node.setAttribute(attribute, node.getAttribute(attribute).replace(/apply-stores-\d+-/g, `apply-stores-${i}-`));
      }
    }
    const remove = set.querySelector('.apply-remove-store');
    remove.hidden = sets.length === 1;
    remove.setAttribute('aria-label', words.storeRemoveNumbered.replace('{n}', i + 1));
  });
  addStoreButton.hidden = sets.length >= maxStores;
}

function addStore() {
  const set = storeTemplate.cloneNode(true);
  for (const node of set.querySelectorAll('input, textarea')) node.value = '';
  set.querySelectorAll('.field-error').forEach((node) => node.remove());
  set.querySelectorAll('[aria-invalid]').forEach((node) => node.removeAttribute('aria-invalid'));
  storeFieldsets().at(-1).after(set);
  prepareStore(set);
  renumberStores();
  return set;
}

function prepareStore(set) {
  set.dataset.store = '';
  set.append(el('button', { type: 'button', class: 'btn apply-remove-store' }, words.storeRemove));
  set.querySelector('.apply-remove-store').addEventListener('click', () => {
    set.remove();
    renumberStores();
    storeFieldsets().at(-1).querySelector('input')?.focus();
  });
}

if (firstStore) {
  prepareStore(firstStore);
  firstStore.after(addStoreButton);
  addStoreButton.addEventListener('click', () => addStore().querySelector('input')?.focus());
  renumberStores();
}

function fill(application) {
  const set = (name, v) => { if (form.elements[name]) form.elements[name].value = v ?? ''; };
  for (const key of ['companyName', 'creditCode', 'legalRepresentative', 'contactName', 'contactPhone', 'contactEmail', 'categoryId', 'brandName', 'description']) {
    set(key, application[key]);
  }
  for (const key of ['accountName', 'bankName', 'branchName']) set(`bankAccount.${key}`, application.bankAccount[key]);
  while (storeFieldsets().length < Math.min(application.stores.length, maxStores)) addStore();
  while (storeFieldsets().length > Math.max(application.stores.length, 1)) storeFieldsets().at(-1).remove();
  renumberStores();
  application.stores.forEach((store, i) => { for (const key of storeKeys) set(`stores[${i}].${key}`, store[key]); });
}

/** Uploads each chosen paper; a problem names the paper's input. */
async function uploadPapers(id, token) {
  for (const input of form.querySelectorAll('input[type=file]')) {
    const file = input.files?.[0];
    if (!file) continue;
    const data = new FormData();
    data.append('file', file, file.name);
    const kind = input.name.slice('document.'.length);
    const response = await fetch(`/api/v1/merchant-applications/${id}/documents/${kind}`, {
      method: 'PUT', credentials: 'same-origin', body: data,
      headers: { Accept: 'application/json', 'X-Application-Token': token, 'X-CSRF-Token': csrfToken() },
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ title: response.statusText }));
      throw { ...problem, errors: (problem.errors || []).map((e) => ({ ...e, field: input.name })) };
    }
  }
}

function tokenFor(id) {
  const fragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fragment) localStorage.setItem(storageKey(id), fragment);
  return fragment || localStorage.getItem(storageKey(id));
}

async function follow(id) {
  const status = document.getElementById('apply-status');
  const token = tokenFor(id);
  if (!token) { status.replaceChildren(el('p', { class: 'form-errors' }, words.noToken)); return; }
  status.replaceChildren(el('p', { class: 'muted' }, words.loading));
  let application;
  try {
    application = await api('GET', `/merchant-applications/${id}`, undefined, { 'X-Application-Token': token });
  } catch (problem) {
    status.replaceChildren(el('p', { class: 'form-errors' }, problemText(problem, words.failed)));
    return;
  }
  const missing = application.missingDocuments.map((k) => form.querySelector(`label[for="apply-document-${k}"]`)?.textContent.replace('*', '').trim() || k);
  status.replaceChildren(
    el('p', { class: 'apply-status' }, `${words.statusLabel}: `, el('strong', { 'data-status': application.status }, words[`status-${application.status}`.replace(/-(\w)/g, (_, c) => c.toUpperCase())] || application.status)),
    application.reason ? el('p', { class: 'apply-reason' }, `${words.reasonLabel}: ${application.reason}`) : '',
    missing.length ? el('p', { class: 'muted' }, `${words.missingLabel}: ${missing.join('、')}`) : '',
    el('p', { class: 'muted' }, words.linkNote));
  const editable = application.status === 'submitted' || application.status === 'needs_changes';
  form.hidden = !editable;
  if (editable) fill(application);
  form.onsubmit = async (event) => {
    event.preventDefault();
    const summary = document.getElementById('apply-errors');
    try {
      await api('PUT', `/merchant-applications/${id}`, body(), { 'X-Application-Token': token });
      await uploadPapers(id, token);
      summary.textContent = '';
      await follow(id);
      status.prepend(el('p', { class: 'notice' }, words.saved));
    } catch (problem) {
      showProblem(form, problem, summary);
    }
  };
}

async function apply() {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const summary = document.getElementById('apply-errors');
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const receipt = await api('POST', '/merchant-applications', body());
      const id = receipt.application.id;
      localStorage.setItem(storageKey(id), receipt.followUpToken);
      try {
        await uploadPapers(id, receipt.followUpToken);
      } finally {
        // The application exists now: whatever happened to a paper, its page is where to go on.
        location.assign(`/merchant-apply/${id}#token=${encodeURIComponent(receipt.followUpToken)}`);
      }
    } catch (problem) {
      showProblem(form, problem, summary);
      button.disabled = false;
    }
  });
}

enableScriptControls(root);
if (root.dataset.applicationId) follow(root.dataset.applicationId); else apply();
