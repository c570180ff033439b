// Sparklines: a small SVG polyline of the last points of a series.
const SVG = 'http://www.w3.org/2000/svg';
const W = 120;
const H = 24;

// sparkline draws values (oldest first) scaled to their own maximum; the
// title shows the latest value.
export function sparkline(values, label) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const title = document.createElementNS(SVG, 'title');
  const last = values.length ? values[values.length - 1] : 0;
  title.textContent = `${label}: ${fmt(last)}`;
  svg.append(title);
  if (values.length > 1) {
    const top = Math.max(...values, 1);
    const step = W / (values.length - 1);
    const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(H - 1 - (v / top) * (H - 2)).toFixed(1)}`);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', pts.join(' '));
    svg.append(line);
  }
  return svg;
}

// fmt shows a count or rate compactly: 950, 12.3k, 4.1M.
export function fmt(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
