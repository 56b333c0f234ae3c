/** Text for HTML: the five characters that could open markup or end an attribute, escaped. */
export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** JSON to embed in a script element: `<` escaped, so no string in it can close the element. */
export const embeddedJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** A table: header cells, then rows of cells already in HTML. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  return `<table${cls === '' ? '' : ` class="${cls}"`}><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** The page's styles: plain, print-friendly, no fonts or images fetched. */
export const STYLE = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.warnings{background:#fff4e5;border:1px solid #f0b36b;padding:8px 14px;margin:12px 0}.warnings li{margin:2px 0}
.figs{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.muted{color:#666}code{font-size:12px;word-break:break-all}
`;
