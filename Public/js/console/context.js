// The shell page embeds who is signed in and what they may do; every module reads it from here
// so that no module parses the page twice or guesses permissions on its own.
const node = document.getElementById('console-context');

function parseContext() {
  try {
    return JSON.parse(node ? node.textContent : '{}');
  } catch {
    return {};
  }
}

const raw = parseContext();

export const context = {
  section: raw.section || 'dashboard',
  id: raw.id || null,
  lang: raw.lang === 'en' ? 'en' : 'zh-CN',
  staff: raw.staff || { username: '', displayName: '' },
  grants: Array.isArray(raw.grants) ? raw.grants : [],
  stores: Array.isArray(raw.stores) ? raw.stores : [],
};

export const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || '';

/** Whether any grant carries the permission, at any scope. The server re-checks every call. */
export function can(permission) {
  return context.grants.some((g) => (g.permissions || []).includes(permission));
}

/** Whether a platform-scope grant carries the permission (HQ-only screens and actions). */
export function canOnPlatform(permission) {
  return context.grants.some((g) => g.scope === 'platform' && (g.permissions || []).includes(permission));
}

/** Whether the permission reaches this store through a platform, merchant or store grant. */
export function canAtStore(permission, storeId, merchantId) {
  return context.grants.some((g) => {
    if (!(g.permissions || []).includes(permission)) return false;
    if (g.scope === 'platform') return true;
    if (merchantId && g.scope === `merchant:${merchantId}`) return true;
    return g.scope === `store:${storeId}`;
  });
}

const storesById = new Map(context.stores.map((s) => [s.id, s]));

export function storeName(id) {
  const store = storesById.get(id);
  return store ? `${store.name}` : (id ? id.slice(0, 8) : '');
}

export function storeById(id) {
  return storesById.get(id) || null;
}

/** Merchants the staff member reaches through their stores, for forms that need a merchant id. */
export function merchantIdsInReach() {
  return [...new Set(context.stores.map((s) => s.merchantId).filter(Boolean))];
}
