/**
 * oclif `finally` hook: "did you mean" for a mistyped command when stdin is not a terminal.
 *
 * `@oclif/plugin-not-found` (registered in package.json) handles unknown commands: on a terminal
 * it asks `Did you mean topics?` and runs the suggestion on yes; without a terminal it only prints
 * `Warning: topcs is not a kts command.` and exits 127 without naming the suggestion. This hook
 * adds the suggestion in that case, as one line on stderr between the plugin's warning and its
 * closing error line (the `finally` hook runs after the failed lookup, before oclif prints the error).
 */
import {toConfiguredId, type Hook} from '@oclif/core'

/** Levenshtein distance (insert, delete, substitute: 1 each). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}

/** The id in `ids` closest to `id` (the first of equally close ones), or undefined when `ids` is empty. */
export function closestId(id: string, ids: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of ids) {
    const d = editDistance(id, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

const hook: Hook<'finally'> = async function (opts) {
  if (opts.Command !== undefined || opts.error === undefined || opts.id === undefined) return
  if (process.stdin.isTTY === true) return // the plugin asks on the terminal
  const config = opts.config
  if (config.findCommand(opts.id) !== undefined || config.findTopic(opts.id) !== undefined) return
  const ids = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const suggestion = closestId(opts.id, ids)
  if (suggestion !== undefined) process.stderr.write(`Did you mean ${toConfiguredId(suggestion, config)}?\n`)
}

export default hook
