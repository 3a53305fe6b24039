/** One sample of a Prometheus text exposition, e.g. sample(text, 'exchange_connection_up', { connection: 'deribit' }). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{\s]+(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries(
      (match[1] ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const [key, value] = pair.split('=');
          return [key, JSON.parse(value ?? '""') as string];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[2]);
  }
  return undefined;
}

/** GET /metrics of a running app, one sample (0 when the series is absent). */
export async function metric(httpUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  return sample(text, name, labels) ?? 0;
}
