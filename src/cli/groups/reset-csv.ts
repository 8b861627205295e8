/**
 * The CSV reset plans of `kts consumer-groups --reset-offsets` (Kafka `CsvUtils` records written
 * and read with Jackson CSV): `--export` writes `topic,partition,offset` lines for one `--group`,
 * `group,topic,partition,offset` lines otherwise; `--from-file` reads either form. Pure.
 */
import {GroupCommandError} from './group-errors.js'
import type {CommittedOffset} from './group-model.js'

/** The plan of one group. */
export interface GroupPlan {
  groupId: string
  offsets: readonly CommittedOffset[]
}

/** Quotes a field when it holds the separator, a quote or a control character (quotes doubled). */
export function csvField(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /[",\u0000-\u001f]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** CSV lines (each ending in `\n`) of the plans; `withGroup` adds the leading group column. */
export function exportResetPlanCsv(plans: readonly GroupPlan[], withGroup: boolean): string {
  let out = ''
  for (const p of plans) {
    for (const o of p.offsets) {
      const fields = [o.topic, String(o.partition), String(o.offset)]
      if (withGroup) fields.unshift(p.groupId)
      out += fields.map(csvField).join(',') + '\n'
    }
  }
  return out
}

/**
 * Splits one CSV line into fields (RFC 4180 quoting, `""` inside quotes).
 * @throws Error on an unterminated quote or text after a closing quote.
 */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = []
  let i = 0
  for (;;) {
    if (line[i] === '"') {
      let value = ''
      i++
      for (;;) {
        if (i >= line.length) throw new Error('unterminated quoted field')
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"'
            i += 2
            continue
          }
          i++
          break
        }
        value += line[i++]
      }
      if (i < line.length && line[i] !== ',') throw new Error('unexpected text after a closing quote')
      fields.push(value)
    } else {
      const comma = line.indexOf(',', i)
      fields.push(comma < 0 ? line.slice(i) : line.slice(i, comma))
      i = comma < 0 ? line.length : comma
    }
    if (i >= line.length) return fields
    i++ // the comma
  }
}

/**
 * Reads a reset plan. The first line decides the form: three fields and exactly one `--group`
 * (`singleGroup`) → `topic,partition,offset` lines for that group; otherwise every line is
 * `group,topic,partition,offset`. Blank lines are skipped; `\r\n` line ends are accepted.
 * @throws GroupCommandError naming the file and line, e.g.
 *   `plan.csv: line 2: expected topic,partition,offset but got 'orders,0'`.
 */
export function parseResetPlanCsv(text: string, singleGroup: string | null, source: string): Map<string, CommittedOffset[]> {
  const lines = text.split('\n').map((l, i) => ({n: i + 1, text: l.endsWith('\r') ? l.slice(0, -1) : l})).filter((l) => l.text.trim() !== '')
  const out = new Map<string, CommittedOffset[]>()
  if (lines.length === 0) return out
  const fail = (n: number, what: string): never => {
    throw new GroupCommandError(`${source}: line ${n}: ${what}`)
  }
  const fieldsOf = (l: {n: number, text: string}): string[] => {
    try {
      return splitCsvLine(l.text)
    } catch (err) {
      return fail(l.n, (err as Error).message)
    }
  }
  const withGroup = !(singleGroup !== null && fieldsOf(lines[0]).length === 3)
  const layout = withGroup ? 'group,topic,partition,offset' : 'topic,partition,offset'
  for (const l of lines) {
    const f = fieldsOf(l)
    if (f.length !== (withGroup ? 4 : 3)) fail(l.n, `expected ${layout} but got '${l.text}'`)
    const [group, topic, partition, offset] = withGroup ? f : [singleGroup as string, ...f]
    const p = partition.trim()
    if (!/^[+-]?\d+$/.test(p) || Number(p) > 2147483647 || Number(p) < -2147483648) fail(l.n, `partition '${partition}' is not an integer`)
    const o = offset.trim()
    if (!/^[+-]?\d+$/.test(o) || !Number.isSafeInteger(Number(o))) fail(l.n, `offset '${offset}' is not an integer`)
    const list = out.get(group) ?? []
    list.push({topic, partition: Number(p), offset: Number(o)})
    out.set(group, list)
  }
  return out
}
