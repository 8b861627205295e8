/**
 * `kts dump-log --files a,b,...`: dumps each file by its suffix as Kafka 3.9's
 * `DumpLogSegments.main` does (`Dumping <file>` first; `.log`/`.checkpoint` segments and snapshots,
 * `.index`, `.timeindex`, `.snapshot` producer state, `.txnindex`; anything else `Ignoring unknown
 * file <file>` on stderr), then prints the problems found on stderr.
 */
import path from 'node:path'
import {DumpProblems, type DumpSink} from './dump-output.js'
import {dumpOffsetIndex, dumpTimeIndex, type IndexDumpOptions} from './index-dump.js'
import {dumpProducerSnapshot} from './producer-snapshot-dump.js'
import {dumpLogFile, type LogDumpOptions} from './segment-dump.js'
import {dumpTxnIndex} from './txn-index-dump.js'

export type DumpLogOptions = LogDumpOptions & IndexDumpOptions & {files: string[]}

/** A failure that ends the dump (Kafka's uncaught exception); what was printed before stays printed. */
export class DumpFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'DumpFailure'
  }
}

function javaIoMessage(err: unknown, file: string): string {
  const e = err as NodeJS.ErrnoException
  if (e.code === 'ENOENT') return `java.nio.file.NoSuchFileException: ${e.path ?? file}`
  if (e.code === 'EISDIR') return `java.io.IOException: Is a directory`
  if (e.code !== undefined) return `java.io.IOException: ${e.message}`
  return e.message
}

/** Dumps every file. @throws DumpFailure at the first file that cannot be read (the problems found so far are printed first) */
export function dumpLogs(opts: DumpLogOptions, sink: DumpSink): void {
  const problems = new DumpProblems()
  for (const file of opts.files) {
    sink.out(`Dumping ${file}\n`)
    const name = path.basename(file)
    const suffix = name.includes('.') ? name.slice(name.lastIndexOf('.')) : ''
    try {
      switch (suffix) {
        case '.log':
        case '.checkpoint':
          dumpLogFile(file, opts, problems, sink)
          break
        case '.index':
          dumpOffsetIndex(file, opts, problems, sink)
          break
        case '.timeindex':
          dumpTimeIndex(file, opts, problems, sink)
          break
        case '.snapshot':
          dumpProducerSnapshot(file, sink)
          break
        case '.txnindex':
          dumpTxnIndex(file, sink)
          break
        default:
          sink.err(`Ignoring unknown file ${file}\n`)
      }
    } catch (err) {
      throw new DumpFailure(javaIoMessage(err, file), {cause: err})
    }
  }
  problems.print(sink)
}
