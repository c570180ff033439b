// The console's main module: polls /ui/api/overview, keeps a short history
// per task for the sparklines, draws the connectors and wires their actions
// to the REST API.
import { call, el, enc } from './api.js';
import { fmt, sparkline } from './spark.js';
import { setupForm } from './form.js';

const POLL_MS = 2000;
const KEEP = 60; // points per sparkline: two minutes at POLL_MS
const history = new Map(); // "connector/task" -> [{t, written, lag}]
const openConfigs = new Set(); // connectors whose config view is open
let timer;

// refresh reads the overview now and schedules the next read.
async function refresh() {
  clearTimeout(timer);
  try {
    const ov = await call('GET', 'api/overview');
    remember(ov);
    render(ov);
    banner('');
  } catch (e) {
    banner(`Cannot read the overview: ${e.message}`);
  }
  // A hidden tab stops asking; showing it again refreshes at once.
  if (!document.hidden) timer = setTimeout(refresh, POLL_MS);
}

function banner(text) {
  const b = document.getElementById('banner');
  b.textContent = text;
  b.hidden = !text;
}

// remember adds the overview's totals to each task's history.
function remember(ov) {
  const seen = new Set();
  for (const c of ov.connectors) {
    for (const t of c.tasks) {
      const key = `${c.name}/${t.id}`;
      seen.add(key);
      const h = history.get(key) || [];
      h.push({ t: ov.time, written: t.written, lag: t.lag });
      history.set(key, h.slice(-KEEP));
    }
  }
  for (const key of history.keys()) if (!seen.has(key)) history.delete(key);
}

// rates turns a history of totals into records per second between points.
function rates(h) {
  const out = [];
  for (let i = 1; i < h.length; i++) {
    const secs = (h[i].t - h[i - 1].t) / 1000;
    out.push(secs > 0 ? Math.max(0, h[i].written - h[i - 1].written) / secs : 0);
  }
  return out;
}

function render(ov) {
  const n = ov.connectors.length;
  const failed = ov.connectors.filter((c) => c.state === 'FAILED' || c.tasks.some((t) => t.state === 'FAILED')).length;
  const dlq = ov.connectors.reduce((s, c) => s + c.tasks.reduce((u, t) => u + t.dlq, 0), 0);
  document.getElementById('summary').textContent =
    `${n} connector${n === 1 ? '' : 's'} · ${failed} failing · ${dlq} to dead-letter queues` +
    (ov.metrics ? '' : ' · no record counts here (metrics off, or another scheduler leads)');
  document.getElementById('empty').hidden = n > 0;
  document.getElementById('connectors').replaceChildren(...ov.connectors.map(card));
}

function stateBadge(state) {
  return el('span', { class: `state ${state}`, 'data-state': state }, state);
}

function card(c) {
  const paused = c.state === 'PAUSED' || c.state === 'STOPPED';
  const trace = c.trace || (c.tasks.find((t) => t.trace) || {}).trace;
  return el('article', { class: 'card', 'data-connector': c.name },
    el('div', { class: 'head' },
      el('h2', {}, c.name), el('span', { class: 'badge' }, c.type), stateBadge(c.state),
      el('span', { class: 'muted', title: c.class }, `${c.class.split('.').pop()} · ${c.worker_id}`),
      el('span', { class: 'spacer' }),
      paused ? action(c, 'resume', 'Resume', 'PUT', 'resume')
        : action(c, 'pause', 'Pause', 'PUT', 'pause'),
      action(c, 'stop', 'Stop', 'PUT', 'stop'),
      action(c, 'restart', 'Restart', 'POST', 'restart?includeTasks=true&onlyFailed=false'),
      action(c, 'restart-failed', 'Restart failed tasks', 'POST', 'restart?includeTasks=true&onlyFailed=true'),
      el('button', { type: 'button', class: 'danger', 'data-action': 'delete', onclick: () => confirmDelete(c.name) }, 'Delete')),
    tasksTable(c),
    trace ? el('div', { class: 'trace' }, el('h3', {}, 'Last error'), el('pre', { 'data-trace': '' }, trace)) : null,
    configView(c));
}

function action(c, name, label, method, path) {
  return el('button', {
    type: 'button', 'data-action': name,
    onclick: (ev) => act(ev.target, method, `/connectors/${enc(c.name)}/${path}`),
  }, label);
}

// act runs one REST call from a button and refreshes at once.
async function act(button, method, path) {
  button.disabled = true;
  try {
    await call(method, path);
  } catch (e) {
    banner(e.message);
  }
  refresh();
}

function tasksTable(c) {
  const head = ['Task', 'State', 'Worker', 'Records/s', 'Records', c.type === 'sink' ? 'Lag' : '', 'Errors', 'DLQ'];
  return el('table', { class: 'tasks' },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, c.tasks.map((t) => taskRow(c, t))));
}

function taskRow(c, t) {
  const h = history.get(`${c.name}/${t.id}`) || [];
  const r = rates(h);
  const lag = c.type === 'sink'
    ? [el('span', { class: 'num' }, fmt(t.lag)), sparkline(h.map((p) => p.lag), 'lag')] : [];
  return el('tr', { 'data-task': t.id },
    el('td', {}, String(t.id)), el('td', {}, stateBadge(t.state)), el('td', { class: 'muted' }, t.worker_id),
    el('td', {}, sparkline(r, 'records/s'), el('span', { class: 'num' }, fmt(r.length ? r[r.length - 1] : 0))),
    el('td', { class: 'num', 'data-written': t.written }, fmt(t.written)),
    el('td', {}, lag),
    el('td', { class: t.errors ? 'num bad' : 'num' }, fmt(t.errors)),
    el('td', { class: t.dlq_failures ? 'num bad' : 'num', title: `${t.dlq_failures} refused by the dead-letter topic` }, fmt(t.dlq)));
}

function configView(c) {
  const d = el('details', { class: 'config', open: openConfigs.has(c.name) },
    el('summary', {}, 'Configuration'),
    el('table', {}, Object.keys(c.config).sort().map((k) =>
      el('tr', {}, el('th', {}, k), el('td', { 'data-key': k }, c.config[k])))));
  d.addEventListener('toggle', () => (d.open ? openConfigs.add(c.name) : openConfigs.delete(c.name)));
  return d;
}

// confirmDelete asks in a dialog before DELETE /connectors/{name}.
function confirmDelete(name) {
  const dlg = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent =
    `Delete connector “${name}”? Its config, tasks and status are removed.`;
  document.getElementById('confirm-ok').onclick = async () => {
    dlg.close();
    try {
      await call('DELETE', `/connectors/${enc(name)}`);
    } catch (e) {
      banner(e.message);
    }
    refresh();
  };
  document.getElementById('confirm-cancel').onclick = () => dlg.close();
  dlg.showModal();
}

document.addEventListener('visibilitychange', () => document.hidden || refresh());
setupForm(refresh);
refresh();
