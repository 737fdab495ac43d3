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
    stores: [{
      name: value('stores[0].name'), province: value('stores[0].province'), city: value('stores[0].city'),
      district: value('stores[0].district'), address: value('stores[0].address'),
      latitude: Number(value('stores[0].latitude') || NaN), longitude: Number(value('stores[0].longitude') || NaN),
      phone: value('stores[0].phone'),
    }],
  };
}

function fill(application) {
  const set = (name, v) => { if (form.elements[name]) form.elements[name].value = v ?? ''; };
  for (const key of ['companyName', 'creditCode', 'legalRepresentative', 'contactName', 'contactPhone', 'contactEmail', 'categoryId', 'brandName', 'description']) {
    set(key, application[key]);
  }
  for (const key of ['accountName', 'bankName', 'branchName']) set(`bankAccount.${key}`, application.bankAccount[key]);
  const store = application.stores[0] || {};
  for (const key of ['name', 'province', 'city', 'district', 'address', 'latitude', 'longitude', 'phone']) set(`stores[0].${key}`, store[key]);
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
