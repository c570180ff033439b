// The "new connector" form: fields generated from
// GET /connector-plugins/{plugin}/config, checked as the user types with
// PUT /connector-plugins/{plugin}/config/validate, created with POST /connectors.
import { call, el, enc } from './api.js';

const $ = (id) => document.getElementById(id);
let plugin = '';
let touched = new Set(); // keys whose errors are shown (all after a create attempt)
let showAll = false;
let seq = 0; // the latest validation; older answers are dropped
let debounce;

// setupForm wires the form; onCreated runs after a connector is created.
export function setupForm(onCreated) {
  $('new-connector').addEventListener('click', open);
  $('create-cancel').addEventListener('click', () => ($('create').hidden = true));
  $('plugin').addEventListener('change', (ev) => choose(ev.target.value));
  $('create-submit').addEventListener('click', () => create(onCreated));
}

async function open() {
  $('create').hidden = false;
  if ($('plugin').options.length > 1) return;
  const plugins = await call('GET', '/connector-plugins?connectorsOnly=true');
  $('plugin').append(...plugins.map((p) =>
    el('option', { value: p.class }, `${p.class.split('.').pop()} (${p.type})`)));
}

// choose builds the fields of one plugin.
async function choose(cls) {
  seq++; // drop answers about the previous plugin
  plugin = cls;
  touched = new Set();
  showAll = false;
  $('fields').replaceChildren();
  $('validation').textContent = '';
  $('create-submit').disabled = !cls;
  if (!cls) return;
  const defs = await call('GET', `/connector-plugins/${enc(cls)}/config`);
  const groups = new Map([['Common', []], ['Connector', []]]);
  for (const d of defs) {
    if (d.name === 'connector.class') continue;
    const g = d.group || 'Connector';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(d);
  }
  $('fields').replaceChildren(...[...groups].filter(([, ds]) => ds.length).map(([g, ds]) => fieldset(g, ds)));
  validate();
}

// fieldset shows a group's required and high-importance keys, the rest folded.
function fieldset(group, defs) {
  const main = defs.filter((d) => d.required || d.importance === 'HIGH');
  const more = defs.filter((d) => !main.includes(d));
  return el('fieldset', {}, el('legend', {}, group), main.map(field),
    more.length ? el('details', {}, el('summary', {}, `${more.length} more`), more.map(field)) : null);
}

function field(d) {
  const id = `f-${d.name}`;
  const attrs = { id, name: d.name, placeholder: d.default_value ?? '', list: `dl-${d.name}`, oninput: () => changed(d.name) };
  let input;
  if (d.type === 'BOOLEAN') {
    input = el('select', { id, name: d.name, onchange: () => changed(d.name) },
      el('option', { value: '' }, `default (${d.default_value ?? 'none'})`),
      el('option', { value: 'true' }, 'true'), el('option', { value: 'false' }, 'false'));
  } else {
    input = el('input', { ...attrs, type: d.type === 'PASSWORD' ? 'password' : 'text', autocomplete: 'off' });
  }
  return el('div', { class: 'field', 'data-key': d.name },
    el('label', { for: id }, d.display_name, d.required ? el('b', {}, ' *') : null, el('small', {}, ` ${d.type}`)),
    input, el('datalist', { id: `dl-${d.name}` }), el('ul', { class: 'errors' }),
    d.documentation ? el('p', { class: 'doc' }, d.documentation) : null);
}

function changed(key) {
  touched.add(key);
  clearTimeout(debounce);
  debounce = setTimeout(validate, 250);
}

// config is the connector config the fields hold (empty fields left out).
function config() {
  const c = { 'connector.class': plugin };
  for (const f of $('fields').querySelectorAll('input, select')) if (f.value !== '') c[f.name] = f.value;
  return c;
}

// validate asks the scheduler and shows each key's errors under its field.
async function validate() {
  const mine = ++seq;
  let res;
  try {
    res = await call('PUT', `/connector-plugins/${enc(plugin)}/config/validate`, config());
  } catch (e) {
    return status(e.message, true);
  }
  if (mine !== seq) return;
  for (const c of res.configs) {
    const v = c.value;
    const f = $('fields').querySelector(`.field[data-key="${CSS.escape(v.name)}"]`);
    if (!f) continue;
    const errs = touched.has(v.name) || showAll ? v.errors : [];
    f.querySelector('.errors').replaceChildren(...errs.map((m) => el('li', {}, m)));
    f.classList.toggle('invalid', errs.length > 0);
    f.querySelector('datalist').replaceChildren(...v.recommended_values.map((r) => el('option', { value: r })));
  }
  status(res.error_count === 0 ? 'Valid: ready to create.' : `${res.error_count} problem${res.error_count === 1 ? '' : 's'} to fix.`,
    res.error_count > 0);
}

function status(text, bad) {
  $('validation').textContent = text;
  $('validation').className = bad ? 'bad' : 'good';
}

async function create(onCreated) {
  showAll = true;
  const c = config();
  try {
    await call('POST', '/connectors', { name: c.name, config: c });
  } catch (e) {
    await validate();
    status(e.message, true);
    return;
  }
  $('create').hidden = true;
  $('plugin').value = '';
  choose('');
  onCreated();
}
