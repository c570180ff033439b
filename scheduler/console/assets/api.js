// The REST API the console uses: the same paths as curl or a Kafka UI, on
// the page's own origin, so the browser's credentials and the audit log
// apply as to any client.

// call sends one request and returns the parsed JSON body (null for none);
// a non-2xx answer throws an Error carrying Kafka Connect's message.
export async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    throw new Error((data && data.message) || `${method} ${path}: HTTP ${res.status}`);
  }
  return data;
}

export const enc = encodeURIComponent;

// el builds an element: el('td', {class: 'num'}, 'text', child, ...).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return e;
}
