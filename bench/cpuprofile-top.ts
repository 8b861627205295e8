/**
 * Summarizes V8 `.cpuprofile` files (written by `node --cpu-prof`): the functions with the most
 * self time, their inclusive time, and self time per source file. Locations in compiled `dist/`
 * files are mapped back to `src/*.ts` through the `.js.map` files next to them when present.
 *
 * Run: `node dist/bench/cpuprofile-top.js <file.cpuprofile | dir> [top N]`; `bench/run.ts` calls
 * `summarizeCpuProfiles()` itself when `KTS_BENCH_CPU_PROF=<dir>` is set.
 */
import fs from 'node:fs'
import {SourceMap} from 'node:module'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface FunctionCost {
  /** `name (file:line)`; file relative to the repo when possible. */
  label: string
  selfMs: number
  totalMs: number
}

export interface ProfileSummary {
  /** Sampled wall time in ms, and the part spent outside `(idle)`. */
  totalMs: number
  busyMs: number
  functions: FunctionCost[]
  files: {file: string, selfMs: number}[]
  /** Self time keyed by (function, nearest calling function in the repo's own code). */
  via: {label: string, caller: string, selfMs: number}[]
}

const sourceMaps = new Map<string, SourceMap | null>()

function sourceMapFor(file: string): SourceMap | null {
  if (sourceMaps.has(file)) return sourceMaps.get(file)!
  let map: SourceMap | null = null
  try {
    map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')))
  } catch {
    map = null
  }
  sourceMaps.set(file, map)
  return map
}

/** `file:line` (1-based) of a call frame, mapped to the TypeScript source when a source map exists. */
function location(frame: CallFrame, root: string): string {
  if (frame.url === '') return ''
  let file = frame.url
  let line = frame.lineNumber + 1
  if (file.startsWith('file://')) {
    file = fileURLToPath(file)
    const map = sourceMapFor(file)
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber)
    if (entry && 'originalSource' in entry && entry.originalSource) {
      const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource)
      file = src
      line = entry.originalLine + 1
    }
    if (file.startsWith(root + path.sep)) file = path.relative(root, file)
    else {
      const nm = file.lastIndexOf(`${path.sep}node_modules${path.sep}`)
      if (nm >= 0) file = file.slice(nm + 1)
    }
  }
  return `${file}:${line}`
}

/** True for a label whose location is in the repository's own sources (src/, bench/, scripts/). */
function isOwnCode(label: string): boolean {
  return / \((src|bench|scripts)\//.test(label)
}

function fileOf(loc: string): string {
  const i = loc.lastIndexOf(':')
  return i > 0 ? loc.slice(0, i) : loc
}

/** A time span on the profile's clock (µs, CLOCK_MONOTONIC on Linux, as `process.hrtime`). */
export interface ProfileWindow {
  fromUs: number
  toUs: number
}

/** Adds the costs of one profile (only its samples inside `window`, if given) into the accumulators. Returns [totalMs, idleMs]. */
function accumulate(profile: CpuProfile, root: string, self: Map<string, number>, total: Map<string, number>, files: Map<string, number>, via: Map<string, number>, window?: ProfileWindow): [number, number] {
  const byId = new Map<number, ProfileNode>()
  const parent = new Map<number, number>()
  for (const n of profile.nodes) {
    byId.set(n.id, n)
    for (const c of n.children ?? []) parent.set(c, n.id)
  }
  const labels = new Map<number, string>()
  const labelOf = (id: number): string => {
    let l = labels.get(id)
    if (l === undefined) {
      const f = byId.get(id)!.callFrame
      const loc = location(f, root)
      l = loc === '' ? (f.functionName || '(anonymous)') : `${f.functionName || '(anonymous)'} (${loc})`
      labels.set(id, l)
    }
    return l
  }
  let totalMs = 0
  let idleMs = 0
  const n = profile.samples.length
  let at = profile.startTime
  for (let i = 0; i < n; i++) {
    at += profile.timeDeltas[i]
    if (window && (at < window.fromUs || at > window.toUs)) continue
    // timeDeltas[i] is the time before sample i; the time after it (delta i+1) is what it stands for.
    const us = i + 1 < n ? profile.timeDeltas[i + 1] : 0
    const ms = Math.max(0, us) / 1000
    const id = profile.samples[i]
    const label = labelOf(id)
    totalMs += ms
    if (label === '(idle)') {
      idleMs += ms
      continue
    }
    self.set(label, (self.get(label) ?? 0) + ms)
    const frame = byId.get(id)!.callFrame
    const file = frame.url === '' ? label : fileOf(location(frame, root))
    files.set(file, (files.get(file) ?? 0) + ms)
    const seen = new Set<string>()
    let caller: string | null = null
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = labelOf(cur)
      if (caller === null && cur !== id && isOwnCode(l)) caller = l
      if (seen.has(l)) continue
      seen.add(l)
      total.set(l, (total.get(l) ?? 0) + ms)
    }
    const key = `${label}\u0000${caller ?? '-'}`
    via.set(key, (via.get(key) ?? 0) + ms)
  }
  return [totalMs, idleMs]
}

/** Reads every `.cpuprofile` given (files, or directories holding them) and sums them up (only the samples inside `window`, if given). */
export function summarizeCpuProfiles(inputs: string[], root = process.cwd(), window?: ProfileWindow): ProfileSummary {
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  const files = new Map<string, number>()
  const via = new Map<string, number>()
  let totalMs = 0
  let idleMs = 0
  for (const input of inputs) {
    const list = fs.statSync(input).isDirectory()
      ? fs.readdirSync(input).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(input, f))
      : [input]
    for (const file of list) {
      const [t, i] = accumulate(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, root, self, total, files, via, window)
      totalMs += t
      idleMs += i
    }
  }
  const functions = [...self.entries()]
    .map(([label, selfMs]) => ({label, selfMs, totalMs: total.get(label) ?? selfMs}))
    .sort((a, b) => b.selfMs - a.selfMs)
  return {
    totalMs,
    busyMs: totalMs - idleMs,
    functions,
    files: [...files.entries()].map(([file, selfMs]) => ({file, selfMs})).sort((a, b) => b.selfMs - a.selfMs),
    via: [...via.entries()].map(([key, selfMs]) => {
      const [label, caller] = key.split('\u0000')
      return {label, caller, selfMs}
    }).sort((a, b) => b.selfMs - a.selfMs),
  }
}

/** The summary as text: the top `n` functions by self time and the top files. */
export function formatProfileSummary(s: ProfileSummary, n = 15): string {
  const pct = (ms: number, of: number): string => (of > 0 ? `${(100 * ms / of).toFixed(1)}%` : '-')
  const lines = [
    `sampled ${(s.totalMs / 1000).toFixed(2)} s, busy (not idle) ${(s.busyMs / 1000).toFixed(2)} s`,
    `${'self ms'.padStart(9)} ${'% busy'.padStart(7)} ${'total ms'.padStart(9)} ${'% busy'.padStart(7)}  function (file:line)`,
  ]
  for (const f of s.functions.slice(0, n)) {
    lines.push(`${f.selfMs.toFixed(0).padStart(9)} ${pct(f.selfMs, s.busyMs).padStart(7)} ${f.totalMs.toFixed(0).padStart(9)} ${pct(f.totalMs, s.busyMs).padStart(7)}  ${f.label}`)
  }
  lines.push('', 'self time by (function <- nearest caller in src/):')
  for (const v of s.via.slice(0, n)) lines.push(`${v.selfMs.toFixed(0).padStart(9)} ${pct(v.selfMs, s.busyMs).padStart(7)}  ${v.label}  <-  ${v.caller}`)
  lines.push('', 'self time by file:')
  for (const f of s.files.slice(0, n)) lines.push(`${f.selfMs.toFixed(0).padStart(9)} ${pct(f.selfMs, s.busyMs).padStart(7)}  ${f.file}`)
  return lines.join('\n')
}

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin', 'run.js'))) return dir
    if (path.dirname(dir) === dir) return process.cwd()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  const args = process.argv.slice(2)
  if (args.length === 0) {
    process.stderr.write('usage: node dist/bench/cpuprofile-top.js <file.cpuprofile | dir>... [--top N]\n')
    process.exit(2)
  }
  let top = 15
  const inputs: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--top') top = Number(args[++i])
    else inputs.push(args[i])
  }
  const root = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)))
  process.stdout.write(formatProfileSummary(summarizeCpuProfiles(inputs, root), top) + '\n')
}
