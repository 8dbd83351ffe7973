// Escaping for the two places the server writes data into text a browser or a spreadsheet reads:
// HTML (the join page) and CSV (the export). The dashboard itself only ever sets textContent.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One CSV cell: quoted, and a leading = + - @ made inert so a spreadsheet never runs it as a formula. */
export function csvCell(v: string | number | boolean | null): string {
  let s = v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** Drop control characters (a name or a line of a mirrored screen is shown as plain text). */
export function plainText(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '').slice(0, max);
}
