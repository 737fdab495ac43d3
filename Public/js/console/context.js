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

/**
 * Whether a platform or merchant grant carries the permission. Creating a store, a product or
 * anything else owned by a merchant needs the permission above store level; a store grant only
 * reaches things that already belong to its store.
 */
export function canAboveStore(permission) {
  return context.grants.some((g) => (g.scope === 'platform' || String(g.scope).startsWith('merchant:')) && (g.permissions || []).includes(permission));
}

/** Merchants where a grant carries the permission above store level; null means every merchant (platform). */
export function merchantsWith(permission) {
  const ids = new Set();
  for (const g of context.grants) {
    if (!(g.permissions || []).includes(permission)) continue;
    if (g.scope === 'platform') return null;
    if (String(g.scope).startsWith('merchant:')) ids.add(String(g.scope).slice('merchant:'.length).toUpperCase());
  }
  return [...ids];
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

const storesById = new Map(context.stores.map((s) => [String(s.id).toUpperCase(), s]));

/** The store's name when the shell lists it; '' for a store outside the staff member's reach. */
export function storeName(id) {
  const store = id ? storesById.get(String(id).toUpperCase()) : null;
  return store ? `${store.name}` : '';
}

export function storeById(id) {
  return (id && storesById.get(String(id).toUpperCase())) || null;
}

/** Merchants the staff member reaches through their stores, for forms that need a merchant id. */
export function merchantIdsInReach() {
  return [...new Set(context.stores.map((s) => s.merchantId).filter(Boolean))];
}
