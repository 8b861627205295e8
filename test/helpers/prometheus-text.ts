/**
 * Reading a `/metrics` scrape in tests: fetch it over HTTP, parse it with a Prometheus text-format
 * parser (parse-prometheus-text-format), and look up one series' value by name and labels.
 */
import parsePrometheusTextFormat, {type PrometheusFamily} from 'parse-prometheus-text-format'

export type Scrape = Map<string, PrometheusFamily>

/** Parses Prometheus text (throws on a malformed line) into families by name. */
export function parseScrape(text: string): Scrape {
  return new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]))
}

/** GET `url` (e.g. `http://127.0.0.1:9404/metrics`) and parse it; throws unless the answer is 200 text/plain. */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`)
  const type = res.headers.get('content-type') ?? ''
  if (!type.startsWith('text/plain')) throw new Error(`GET ${url}: content-type ${type}`)
  return parseScrape(await res.text())
}

/**
 * Value of the series of family `name` whose labels are exactly `labels` (no labels: `{}`);
 * undefined when the family or the series is absent.
 */
export function sample(s: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = s.get(name)
  if (!family) return undefined
  const want = Object.entries(labels)
  for (const m of family.metrics) {
    const have = m.labels ?? {}
    if (Object.keys(have).length === want.length && want.every(([k, v]) => have[k] === v)) return Number(m.value)
  }
  return undefined
}
