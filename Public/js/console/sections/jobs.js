import { post } from '../api.js';
import { add, h, pageHeader, button, busy, announce, badge, facts, openDialog } from '../dom.js';
import { createTable } from '../table.js';
import { t, dateTime, number } from '../i18n.js';
import { enumOptions } from '../widgets.js';

const statuses = ['queued', 'running', 'succeeded', 'dead'];

/** The payload as the job received it, indented when it is JSON. */
function payloadText(payload) {
  if (!payload) return '';
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

// Durable background jobs for HQ: what failed (dead, or waiting for another attempt after an
// error), what it was given and why it failed; a dead job can be queued again.
export async function render(root) {
  const retry = async (event, job) => {
    await busy(event.currentTarget, () => post(`/admin/jobs/${job.id}/retry`));
    announce(t('jobs.retried', { kind: job.kind }));
    table.reload();
  };

  const details = (job) => openDialog(t('jobs.detailTitle', { kind: job.kind }), h('div', { class: 'job-detail' },
    facts([
      [t('field.status'), badge('jobStatus', job.status)],
      [t('jobs.attempts'), `${number(job.attempts)} / ${number(job.maxAttempts)}`],
      [t('jobs.runAt'), dateTime(job.runAt)],
      [t('jobs.createdAt'), dateTime(job.createdAt)],
      [t('jobs.finishedAt'), dateTime(job.finishedAt)],
    ]),
    h('h3', { text: t('jobs.lastError') }), h('pre', { class: 'job-error', text: job.lastError || t('jobs.noError') }),
    h('h3', { text: t('jobs.payload') }), h('pre', { class: 'job-payload', text: payloadText(job.payload) })));

  const table = createTable({
    caption: t('jobs.title'),
    endpoint: '/admin/jobs',
    syncUrl: true,
    filters: [
      { name: 'status', label: t('field.status'), type: 'select', options: enumOptions('jobStatus', statuses) },
      { name: 'failed', label: t('jobs.failedOnly'), type: 'checkbox' },
      { name: 'kind', label: t('jobs.kind') },
    ],
    columns: [
      { key: 'kind', label: t('jobs.kind'), render: (j) => h('span', { class: 'mono', text: j.kind }) },
      { key: 'status', label: t('field.status'), render: (j) => badge('jobStatus', j.status) },
      { key: 'attempts', label: t('jobs.attempts'), align: 'num', render: (j) => `${number(j.attempts)} / ${number(j.maxAttempts)}` },
      { key: 'runAt', label: t('jobs.runAt'), nowrap: true, render: (j) => dateTime(j.runAt) },
      { key: 'lastError', label: t('jobs.lastError'), render: (j) => (j.lastError ? h('span', { class: 'job-error', text: j.lastError.slice(0, 120) }) : '') },
      { key: 'actions', label: t('table.actions'), action: true, render: (j) => h('span', { class: 'actions' },
        button(t('jobs.details'), () => details(j), { 'aria-label': t('jobs.detailsNamed', { kind: j.kind }) }),
        j.status === 'dead' ? button(t('jobs.retry'), (event) => retry(event, j), { kind: 'primary', 'aria-label': t('jobs.retryNamed', { kind: j.kind }) }) : null) },
    ],
  });
  add(root, pageHeader(t('jobs.title')), table.element);
  table.reload();
}
