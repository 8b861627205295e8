/**
 * Colours of the CLI's human output (chalk), decided in ONE place: commands never call chalk
 * themselves; they ask `styleFor(stream)` and wrap text with its roles.
 *
 * A stream gets colour only when
 * - `FORCE_COLOR` is set and not `0`/`false` (levels 1-3; empty or `true` = 1), whatever the stream; else
 * - `NO_COLOR` is set and not empty (https://no-color.org): never; else
 * - the stream is a TTY whose terminal has colours (`tty.WriteStream.getColorDepth()`, which honours `TERM=dumb`).
 *
 * So piped or redirected output is never coloured and stays byte-identical to Kafka's layout.
 * (chalk's own detection is not used: it sniffs `--color` in argv and colours non-TTY output on some CI systems.)
 * chalk itself is loaded only when stdout or stderr gets colour (or after `loadChalk()`), so
 * piped runs do not pay for loading it.
 */
import type {ChalkInstance, ColorSupportLevel} from 'chalk'

/** The roles text can have. Each returns its input unchanged when colour is off. */
export interface Style {
  /** True when this style adds ANSI escapes. */
  readonly enabled: boolean
  /** Error messages: red. */
  error(text: string): string
  /** Warnings: yellow. */
  warning(text: string): string
  /** Header rows of tables printed for humans: bold. */
  header(text: string): string
}

/** The style that never colours (for `--json`, pipes, files). */
export const PLAIN: Style = {enabled: false, error: (t) => t, warning: (t) => t, header: (t) => t}

/** What `colorLevel` needs to know about a stream. */
export interface StreamInfo {
  isTTY?: boolean
  getColorDepth?: (env?: NodeJS.ProcessEnv) => number
}

/**
 * The chalk colour level for `stream` under `env` (0 = no colour); see the file comment for the rules.
 */
export function colorLevel(stream: StreamInfo, env: NodeJS.ProcessEnv = process.env): ColorSupportLevel {
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    const f = force.trim().toLowerCase()
    if (f === '0' || f === 'false') return 0
    if (f === '' || f === 'true') return 1
    const n = Number.parseInt(f, 10)
    return (Number.isNaN(n) ? 1 : Math.max(1, Math.min(3, n))) as ColorSupportLevel
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  if (stream.isTTY !== true) return 0
  const depth = typeof stream.getColorDepth === 'function' ? stream.getColorDepth(env) : 4
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0
}

let chalkModule: typeof import('chalk') | undefined =
  colorLevel(process.stdout) > 0 || colorLevel(process.stderr) > 0 ? await import('chalk') : undefined

/** Loads chalk whatever the process's own streams are (for `styleFor` with an explicit `env`, e.g. in tests). */
export async function loadChalk(): Promise<void> {
  chalkModule ??= await import('chalk')
}

function makeStyle(chalk: ChalkInstance): Style {
  return {
    enabled: true,
    error: (t) => chalk.red(t),
    warning: (t) => chalk.yellow(t),
    header: (t) => chalk.bold(t),
  }
}

const cache = new Map<StreamInfo, Style>()

/**
 * The style for text written to `stream` (cached per stream; `PLAIN` when it gets no colour, or
 * when chalk was not loaded because neither of the process's streams gets colour).
 */
export function styleFor(stream: StreamInfo, env: NodeJS.ProcessEnv = process.env): Style {
  const cached = env === process.env ? cache.get(stream) : undefined
  if (cached !== undefined) return cached
  const level = colorLevel(stream, env)
  const style = level === 0 || chalkModule === undefined ? PLAIN : makeStyle(new chalkModule.Chalk({level}))
  if (env === process.env) cache.set(stream, style)
  return style
}

/** The style of stdout. */
export const stdoutStyle = (): Style => styleFor(process.stdout)
/** The style of stderr. */
export const stderrStyle = (): Style => styleFor(process.stderr)

/** Writes one line to stderr as a warning (yellow on a colour terminal). */
export function warnLine(line: string): void {
  process.stderr.write(stderrStyle().warning(line) + '\n')
}

/** Writes one line to stderr as an error (red on a colour terminal). */
export function errorLine(line: string): void {
  process.stderr.write(stderrStyle().error(line) + '\n')
}

/**
 * Applies `role` (e.g. `style.error`) to each non-empty line of `text`, keeping the line breaks
 * outside the escapes (Kafka's texts often start or end with a blank line).
 */
export function paintLines(text: string, role: (line: string) => string): string {
  return text.split('\n').map((l) => (l === '' ? l : role(l))).join('\n')
}
