import { TUNNEL_KINDS, type Hop } from '../kernel/trace.js';
import type { CounterDelta } from '../kernel/counters.js';
import { ROOT } from '../kernel/namespaces.js';
import type { Lang } from '../i18n/lang.js';
import { ipv4Layers, tunnelKind } from './decode.js';
import type { FlowReport } from './flowReport.js';
import { pm } from './messages.js';
import { padEnd, padStart, truncate, wrapText } from '../text/width.js';
import { renderLayers } from './render.js';

// `tutor flow`'s report as text for a terminal `width` columns wide.
function nsLabel(ns: string, lang: Lang): string {
  return ns === ROOT ? pm(lang, 'rootNs') : ns;
}

function hopLines(h: Hop, k: number, lang: Lang, w: number): string[] {
  const head = `${String(k).padStart(2)}. [${nsLabel(h.ns, lang)}] `;
  const ind = ' '.repeat(head.length);
  const out: string[] = [];
  const push = (first: string, text: string) => {
    const pieces = wrapText(text, w - ind.length);
    pieces.forEach((p, i) => out.push(i === 0 && first ? first + p : ind + p));
  };
  let said: string;
  switch (h.kind) {
    case 'encap':
      said = pm(lang, 'hopEncap', {
        inner: `${h.src} -> ${h.dst}`,
        outerSrc: h.tunnel?.local ?? '?',
        outerDst: h.tunnel?.remote ?? '?',
        kind: `${h.tunnel?.kind ?? '?'}, ${h.dev}`,
      });
      break;
    case 'decap':
      said = pm(lang, 'hopDecap', { dev: h.dev ?? '?', src: h.src, dst: h.dst });
      break;
    case 'forward':
      said = pm(lang, 'hopForward');
      break;
    case 'deliver':
      said = pm(lang, 'hopDeliver', { dst: h.dst, ns: nsLabel(h.ns, lang) });
      break;
    case 'receive':
      said = `${h.src} -> ${h.dst}: local, iif ${h.dev}`;
      break;
    case 'noroute':
      said = pm(lang, 'hopNoRoute', { error: h.error ?? '' });
      break;
    case 'leave':
      said = `${h.src} -> ${h.dst} dev ${h.dev ?? '?'}: ?`;
      break;
    default:
      said = `${h.src} -> ${h.dst}${h.dev ? ` dev ${h.dev}` : ''}`;
  }
  if (h.command) {
    push(head, `$ ${h.command}`);
    if (h.answer) push('', `  ${h.answer}`);
    push('', said);
  } else push(head, said);
  return out;
}

function countersTable(rows: CounterDelta[], lang: Lang, w: number): string[] {
  const shown = rows.filter(
    (r) => r.txPackets > 0 || r.rxPackets > 0 || (r.kind && TUNNEL_KINDS.has(r.kind) && r.dev !== 'tunl0' && r.dev !== 'gre0'),
  );
  const cols = [pm(lang, 'hdrNs'), pm(lang, 'hdrDev'), pm(lang, 'hdrTx'), pm(lang, 'hdrRx'), pm(lang, 'hdrCrossed')];
  const widths = [10, 12, 8, 8, 8];
  const line = (c: string[]) =>
    truncate(
      c
        .map((s, i) => (i >= 2 && i <= 3 ? padStart(s, widths[i]!) : padEnd(s, widths[i]!)))
        .join('  ')
        .trimEnd(),
      w,
    );
  const out = [line(cols)];
  for (const r of shown)
    out.push(
      line([
        nsLabel(r.ns, lang),
        r.dev,
        String(r.txPackets),
        String(r.rxPackets),
        r.txPackets > 0 || r.rxPackets > 0 ? pm(lang, 'yes') : pm(lang, 'no'),
      ]),
    );
  return out;
}

export function renderFlow(report: FlowReport, lang: Lang = 'en', width = 76): string {
  const w = Math.max(50, width);
  const out: string[] = [];
  const src = report.path.request[0]?.src ?? '?';
  out.push(...wrapText(pm(lang, 'flowTitle', { from: `${report.fromNs} (${src})`, to: report.to }), w));
  out.push('');
  const t = report.tunnel;
  if (t)
    out.push(
      ...wrapText(
        pm(lang, 'flowTunnel', {
          dev: t.dev,
          ns: nsLabel(t.ns, lang),
          kind: t.kind,
          local: t.local ?? 'any',
          remote: t.remote ?? 'any',
          mtu: t.mtu ?? '?',
        }),
        w,
      ),
    );
  else out.push(...wrapText(pm(lang, 'flowNoTunnel', { ns: nsLabel(report.fromNs, lang) }), w));
  out.push(
    ...wrapText(
      pm(lang, 'flowPing', { result: report.ping.ok ? pm(lang, 'pingOk') : pm(lang, 'pingFail', { code: report.ping.exitCode ?? '?' }) }),
      w,
    ),
  );
  const c = report.capture;
  if (!c.ok) out.push(...wrapText(pm(lang, 'flowCaptureFail', { dev: report.captureDev, why: c.error ?? '?' }), w));
  else {
    out.push(pm(lang, 'flowCaptured', { dev: report.captureDev, n: c.packets.length }) + (c.tool === 'dumpcap' ? ` (dumpcap)` : ''));
    out.push('');
    if (c.request) out.push(renderLayers(c.request, { lang, width: w, dev: report.captureDev, note: pm(lang, 'request') }));
    else out.push(...wrapText(pm(lang, 'flowNoRequest', { dev: report.captureDev }), w));
    if (c.reply) out.push(renderLayers(c.reply, { lang, width: w, dev: report.captureDev, note: pm(lang, 'reply') }));
    else out.push(...wrapText(pm(lang, 'flowNoReply', { dev: report.captureDev }), w));
    const rq = c.request && tunnelKind(c.request.layers) ? ipv4Layers(c.request.layers)[0]?.fields.ttl : undefined;
    const rp = c.reply && tunnelKind(c.reply.layers) ? ipv4Layers(c.reply.layers)[0]?.fields.ttl : undefined;
    if (rq !== undefined && rp !== undefined && rp < rq) out.push(...wrapText(pm(lang, 'ttlNote', { req: rq, rep: rp }), w));
  }
  out.push('');
  out.push(pm(lang, 'flowPathTitle'));
  for (const [dir, hops] of [
    ['dirOut', report.path.request],
    ['dirBack', report.path.reply],
  ] as const) {
    if (!hops.length) continue;
    out.push(`${pm(lang, dir)}:`);
    hops.forEach((h, i) => out.push(...hopLines(h, i + 1, lang, w)));
  }
  out.push('');
  out.push(pm(lang, 'flowCountersTitle'));
  out.push(...countersTable(report.counters, lang, w));
  return out.join('\n');
}

/** One hop of a path as a few words, for the compact view. */
function stepWords(h: Hop, lang: Lang): string | null {
  switch (h.kind) {
    case 'encap':
      return pm(lang, 'stepEncap', { dev: h.dev ?? '?' });
    case 'route':
      return pm(lang, 'stepOut', { dev: h.dev ?? '?' });
    case 'forward':
      return pm(lang, 'stepForward', { ns: nsLabel(h.ns, lang), dev: h.dev ?? '?' });
    case 'decap':
      return pm(lang, 'stepDecap', { dev: h.dev ?? '?' });
    case 'deliver':
      return pm(lang, 'stepDeliver', {});
    case 'receive':
      return `[${nsLabel(h.ns, lang)}]`;
    case 'noroute':
      return pm(lang, 'stepNoRoute', { error: h.error ?? '' });
    default:
      return null;
  }
}

function pathLine(label: string, hops: Hop[], lang: Lang, w: number): string[] {
  const words = hops.map((h) => stepWords(h, lang)).filter((x): x is string => x !== null);
  const first = hops[0] ? `[${nsLabel(hops[0].ns, lang)}] ` : '';
  const pad = ' '.repeat(stringWidthOf(label) + 1);
  return wrapText(`${first}${words.join(' › ').replace(/\] › /g, '] ')}`, w - pad.length).map((l, i) =>
    i === 0 ? `${label} ${l}` : pad + l,
  );
}

const stringWidthOf = (s: string) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);

/** The flow on one screen (80x24): the request's layers, the reply in a line, both paths, what was crossed. */
export function renderFlowCompact(report: FlowReport, lang: Lang = 'en', width = 76, diagnosis: string[] = []): string {
  const w = Math.max(50, width);
  const out: string[] = [];
  const src = report.path.request[0]?.src ?? '?';
  const c = report.capture;
  const result = report.ping.ok ? pm(lang, 'pingOk') : pm(lang, 'pingFail', { code: report.ping.exitCode ?? '?' });
  out.push(...wrapText(pm(lang, 'compactTitle', { from: `${report.fromNs} (${src})`, to: report.to, result }), w));
  out.push(...diagnosis.flatMap((d) => wrapText(d, w)));
  if (!c.ok) out.push(...wrapText(pm(lang, 'flowCaptureFail', { dev: report.captureDev, why: c.error ?? '?' }), w));
  else if (c.request) {
    out.push(...renderLayers(c.request, { lang, width: w, dev: report.captureDev, note: pm(lang, 'request') }).split('\n'));
  } else out.push(...wrapText(pm(lang, 'flowNoRequest', { dev: report.captureDev }), w));
  if (c.reply) {
    const [outer, inner] = ipv4Layers(c.reply.layers).map((l) => l.fields);
    if (outer && inner)
      out.push(
        ...wrapText(
          pm(lang, 'compactReply', {
            dev: report.captureDev,
            outer: `${outer.src} -> ${outer.dst}`,
            outerTtl: outer.ttl,
            inner: `${inner.src} -> ${inner.dst}`,
            innerTtl: inner.ttl,
          }),
          w,
        ),
      );
  } else if (c.ok) out.push(...wrapText(pm(lang, 'flowNoReply', { dev: report.captureDev }), w));
  out.push(...pathLine(pm(lang, 'compactThere'), report.path.request, lang, w));
  if (report.path.reply.length) out.push(...pathLine(pm(lang, 'compactBack'), report.path.reply, lang, w));
  const crossed = report.counters.filter((r) => r.txPackets > 0 || r.rxPackets > 0);
  const byNs = new Map<string, string[]>();
  for (const r of crossed) byNs.set(r.ns, [...(byNs.get(r.ns) ?? []), r.dev]);
  const list = [...byNs].map(([ns, devs]) => `${nsLabel(ns, lang)} ${devs.join(' ')}`).join(' · ');
  if (list) out.push(...wrapText(pm(lang, 'compactCrossed', { list }), w));
  out.push(...wrapText(pm(lang, 'compactMore'), w));
  return out.join('\n');
}
