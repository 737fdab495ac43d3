import { context } from './context.js';
import { loadMessages, t } from './i18n.js';
import { h, clear, errorNotice, notice } from './dom.js';
import { watchInbox } from './inbox-badge.js';

// One module per menu key, loaded on demand so a clerk's phone fetches only the desk it opens.
const sections = {
  dashboard: () => import('./sections/dashboard.js'),
  reports: () => import('./sections/reports.js'),
  stores: () => import('./sections/stores.js'),
  staff: () => import('./sections/staff.js'),
  catalog: () => import('./sections/catalog.js'),
  inventory: () => import('./sections/inventory.js'),
  orders: () => import('./sections/orders.js'),
  aftersales: () => import('./sections/aftersales.js'),
  payments: () => import('./sections/payments.js'),
  members: () => import('./sections/members.js'),
  segments: () => import('./sections/segments.js'),
  levels: () => import('./sections/levels.js'),
  'points-mall': () => import('./sections/points-mall.js'),
  coupons: () => import('./sections/coupons.js'),
  lotteries: () => import('./sections/lotteries.js'),
  promotions: () => import('./sections/promotions.js'),
  'flash-sales': () => import('./sections/flash-sales.js'),
  'group-buys': () => import('./sections/group-buys.js'),
  settings: () => import('./sections/settings.js'),
  audit: () => import('./sections/audit.js'),
  reviews: () => import('./sections/reviews.js'),
  notifications: () => import('./sections/notifications.js'),
  shipping: () => import('./sections/shipping.js'),
  jobs: () => import('./sections/jobs.js'),
  backups: () => import('./sections/backups.js'),
  settlements: () => import('./sections/settlements.js'),
  merchants: () => import('./sections/merchants.js'),
  applications: () => import('./sections/applications.js'),
  password: () => import('./sections/password.js'),
};

function markCurrentMenuItem(section) {
  for (const a of document.querySelectorAll('#console-menu a[href]')) {
    const path = new URL(a.href, location.href).pathname.replace(/\/+$/, '');
    const key = path === '/console' ? 'dashboard' : path.split('/')[2];
    if (key === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function showSignedOut() {
  if (document.getElementById('signed-out')) return;
  const banner = h('div', { id: 'signed-out', class: 'signed-out-banner', role: 'alert' },
    t('error.signedOut'), ' ', h('a', { href: `/console/login?next=${encodeURIComponent(location.pathname + location.search)}`, text: t('action.signInAgain') }));
  document.body.prepend(banner);
}

async function start() {
  const main = document.getElementById('console-main');
  if (!main) return;
  try {
    await loadMessages();
  } catch {
    // Without a catalog the keys themselves show; the console stays usable.
  }
  document.addEventListener('console:signed-out', showSignedOut);
  watchInbox();
  const section = main.dataset.section || context.section || 'dashboard';
  const id = main.dataset.id || context.id || null;
  markCurrentMenuItem(section);
  main.setAttribute('aria-busy', 'true');
  clear(main).append(notice(t('table.loading')));
  try {
    const loader = sections[section];
    if (!loader) {
      clear(main).append(h('h1', { text: t('error.notFound') }), notice(t('error.unknownSection', { section }), 'error'));
      return;
    }
    const module = await loader();
    const view = h('div', { class: 'section-view' });
    await module.render(view, { id, params: new URLSearchParams(location.search) });
    clear(main).append(view);
    const heading = main.querySelector('h1');
    if (heading) document.title = `${heading.textContent} · ${t('app.title')}`;
  } catch (error) {
    console.error(error);
    clear(main).append(h('h1', { text: t('error.title') }), errorNotice(error));
  } finally {
    main.removeAttribute('aria-busy');
  }
}

start();
