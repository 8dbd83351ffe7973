/// <reference lib="dom" />
// The dashboard's calls to the classroom server: the instructor key goes in a header, never in
// a URL the browser might keep, except for the export links (downloads cannot carry a header).

export function instructorKey(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('key');
  if (fromUrl) {
    sessionStorage.setItem('ipip-classroom-key', fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem('ipip-classroom-key');
}

export async function post(key: string, path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function exportUrl(key: string, kind: 'csv' | 'json'): string {
  return `/api/export.${kind}?key=${encodeURIComponent(key)}`;
}

export function socketUrl(key: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws/dashboard?key=${encodeURIComponent(key)}`;
}
