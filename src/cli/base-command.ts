/**
 * Base class of every `kts` command (oclif `Command`).
 *
 * - `--json` is enabled on all commands: `run()` returns the command's typed result, which oclif
 *   prints as JSON; text is rendered only when `!this.jsonEnabled()`.
 * - `catch()` turns any failure into exactly ONE readable line on stderr (red on a colour terminal,
 *   see `output/style.ts`) and exit code 1 (oclif's
 *   parse errors, normally exit 2, become 1 like Kafka's tools). In `--json` mode the error is
 *   printed as `{"error":{"name","message","kafkaErrorCode"?}}` on stdout instead.
 * - A stack trace is printed only with `--debug` on the command line or `KTS_DEBUG=1`.
 */
import {Command, Errors, Flags} from '@oclif/core'
import {EXIT_FAILURE, TerseError} from './errors.js'
import {errorLine} from './output/style.js'

export abstract class KtsCommand extends Command {
  static override enableJsonFlag = true

  /** `--debug` (hidden): print the stack trace of a failure after its one-line message. */
  static override baseFlags = {
    debug: Flags.boolean({hidden: true, description: 'Print stack traces of errors.', helpGroup: 'GLOBAL'}),
  }

  /** True when stack traces were requested (`--debug` anywhere in argv, or `KTS_DEBUG=1`). */
  protected debugEnabled(): boolean {
    return process.env.KTS_DEBUG === '1' || this.argv.includes('--debug')
  }

  override async catch(err: Error & {exitCode?: number, oclif?: {exit?: number}}): Promise<any> {
    // `this.exit(n)` throws an ExitError: let oclif honour it.
    if (err instanceof Errors.ExitError) throw err
    const line = oneLine(err)
    process.exitCode = EXIT_FAILURE
    if (this.jsonEnabled()) {
      const error: Record<string, unknown> = {name: err.name, message: line}
      const code = err instanceof TerseError ? (err as TerseError).kafkaErrorCode : undefined
      if (code !== undefined) error.kafkaErrorCode = code
      this.logJson({error})
    } else {
      errorLine(line)
    }
    if (this.debugEnabled() && err.stack) process.stderr.write(err.stack + '\n')
  }
}

/** The first non-empty line of an error's message (oclif appends hints like "See more help with --help"). */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const first = message.split('\n').map((l) => l.trim()).find((l) => l.length > 0)
  return first ?? (err instanceof Error ? err.name : 'Unknown error')
}
