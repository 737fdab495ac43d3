// Account page: profile nickname and delivery addresses through /api/v1/me.
import { api, el, showProblem } from './mall.js';

const profile = document.getElementById('profile-form');
profile.addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = profile.querySelector('.form-message');
  try {
    await api('PATCH', '/me', { nickname: profile.elements.nickname.value });
    showProblem(profile, {}, status);
    status.textContent = profile.dataset.saved;
  } catch (problem) {
    showProblem(profile, problem, status);
  }
});

const list = document.getElementById('address-list');
async function loadAddresses() {
  const addresses = await api('GET', '/me/addresses');
  list.replaceChildren();
  if (!addresses.length) list.append(el('li', { class: 'muted' }, list.dataset.empty));
  for (const address of addresses) {
    list.append(el('li', { class: 'card' },
      `${address.contactName} ${address.phone} · ${address.province}${address.city}${address.district}${address.detail} `,
      address.isDefault ? el('span', { class: 'badge' }, list.dataset.default) : null, ' ',
      el('button', { type: 'button', class: 'btn', onclick: async () => { await api('DELETE', `/me/addresses/${address.id}`); loadAddresses(); } }, list.dataset.remove)));
  }
}

const addressForm = document.getElementById('address-form');
addressForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = addressForm.querySelector('.form-message');
  const f = addressForm.elements;
  const body = {
    contactName: f.contactName.value, phone: f.phone.value, province: f.province.value, city: f.city.value,
    district: f.district.value, detail: f.detail.value, isDefault: f.isDefault.checked,
  };
  try {
    await api('POST', '/me/addresses', body);
    showProblem(addressForm, {}, status);
    status.textContent = addressForm.dataset.saved;
    addressForm.reset();
    loadAddresses();
  } catch (problem) {
    showProblem(addressForm, problem, status);
  }
});

loadAddresses();
