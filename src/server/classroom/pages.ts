import { escapeHtml } from './escape.js';

// The join page: what a learner who opens the join URL in a browser sees. Everything that comes
// from outside (the title) is escaped; the lab link only when the server has the browser lab.

export function joinPage(o: { title: string; joinUrl: string; labUrl: string | null }): string {
  const t = escapeHtml(o.title);
  const lab = o.labUrl ? `<p class="or">or</p><p><a class="lab" href="${escapeHtml(o.labUrl)}">learn in this browser</a></p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}: join</title><link rel="stylesheet" href="/dashboard/dashboard.css"></head>
<body class="join"><main>
<h1>${t}</h1>
<p>In a terminal on your machine, run:</p>
<pre><code>npx ipip-tutor --join ${escapeHtml(o.joinUrl)}</code></pre>
<p class="dim">Your tutor reports your progress, your checks and (unless you add <code>--private</code>) your screen and network map to the instructor.</p>
${lab}
</main></body></html>
`;
}

export function forbiddenPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forbidden</title></head>
<body><h1>Forbidden</h1><p>This page needs the instructor key: open the dashboard URL that <code>ipip-tutor classroom</code> printed.</p></body></html>
`;
}
