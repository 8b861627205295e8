/** Types of parse-prometheus-text-format 1.x (a devDependency without its own; prom2json's output shape). */
declare module 'parse-prometheus-text-format' {
  export interface PrometheusSample {
    /** Sample value as written (`"3"`, `"+Inf"`); absent for histogram/summary families. */
    value?: string
    labels?: Record<string, string>
    /** Histogram and summary families. */
    buckets?: Record<string, string>
    quantiles?: Record<string, string>
    count?: string
    sum?: string
  }
  export interface PrometheusFamily {
    name: string
    help: string
    /** `COUNTER`, `GAUGE`, `HISTOGRAM`, `SUMMARY` or `UNTYPED`. */
    type: string
    metrics: PrometheusSample[]
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[]
}
