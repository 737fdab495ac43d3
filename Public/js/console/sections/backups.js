import { get, post, apiUrl } from '../api.js';
import { add, h, pageHeader, button, busy, announce, notice, link, clear, errorNotice, stackOnPhone } from '../dom.js';
import { t, dateTime, number, fileSize } from '../i18n.js';

function heldFiles(count) {
  return count === null || count === undefined ? t('backups.databaseOnly') : t('backups.fileCount', { count: number(count) });
}

/** What the schedule settings say, with a way to change them (same permission as this page). */
function schedule(settings) {
  const value = (key) => settings.find((s) => s.key === key)?.value ?? 0;
  const hours = value('backup.intervalHours');
  return h('p', { class: 'backup-schedule' },
    hours > 0 ? t('backups.scheduleOn', { hours: number(hours), keep: number(value('backup.keep')) }) : t('backups.scheduleOff'),
    ' ', link('/console/settings', t('backups.scheduleChange')));
}

// Backups for HQ, the database with the uploaded files: make one now, list them (size, time,
// files held), download one, and see the schedule. Restoring replaces the running database and
// files, so it stays a command run with the server stopped; the page says how.
export async function render(root) {
  const list = h('div', { class: 'backup-list', 'aria-live': 'polite' });
  const scheduled = h('div');

  const load = async () => {
    clear(list);
    try {
      const files = await get('/admin/backups');
      if (!files.length) { list.append(notice(t('backups.none'))); return; }
      list.append(stackOnPhone(h('table', { class: 'data' },
        h('caption', { text: t('backups.caption') }),
        h('thead', {}, h('tr', {}, [t('backups.name'), t('backups.size'), t('backups.files'), t('backups.createdAt'), t('table.actions')].map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, files.map((f) => h('tr', {},
          h('th', { scope: 'row', class: 'mono', text: f.name }),
          h('td', { class: 'num', text: fileSize(f.sizeBytes) }),
          h('td', { class: 'num', text: heldFiles(f.fileCount) }),
          h('td', { text: dateTime(f.createdAt) }),
          h('td', { class: 'cell-actions' }, link(apiUrl(`/admin/backups/${encodeURIComponent(f.name)}`), t('backups.download'), {
            class: 'btn', download: f.name, 'aria-label': t('backups.downloadNamed', { name: f.name }),
          }))))))));
    } catch (error) {
      list.append(errorNotice(error));
    }
  };

  const create = button(t('backups.create'), async (event) => {
    try {
      const file = await busy(event.currentTarget, () => post('/admin/backups'));
      announce(t('backups.created', { name: file.name }));
    } catch (error) {
      announce(error.detail || error.title, 'error');
    }
    await load();
  }, { kind: 'primary' });

  add(root, pageHeader(t('backups.title'), create),
    h('section', { class: 'card' }, scheduled, list),
    h('section', { class: 'card' },
      h('h2', { text: t('backups.restoreTitle') }),
      h('p', { text: t('backups.restoreHelp') }),
      h('pre', { class: 'mono', text: 'systemctl stop chainmall\nchainmall restore data/backups/<file>\nsystemctl start chainmall' })));
  get('/admin/settings').then((settings) => scheduled.append(schedule(settings)), (error) => scheduled.append(errorNotice(error)));
  await load();
}
