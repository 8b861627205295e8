/**
 * Java's `String.split` on a literal one-character separator, which Kafka's tools use to cut
 * arguments: trailing empty strings are dropped (`"t:".split(":")` is `["t"]`).
 */
export function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep)
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}
