/**
 * Where `kts dump-log` prints: `out` (stdout, Kafka's `println`) and `err` (stderr,
 * `System.err.println`), plus the problems Kafka's `DumpLogSegments` collects while dumping and
 * prints on stderr at the end (index mismatches, time index errors, non-consecutive offsets).
 */

export interface DumpSink {
  out(text: string): void
  err(text: string): void
}

/** A sink that collects everything (tests, `--json`). */
export class MemorySink implements DumpSink {
  stdout = ''
  stderr = ''
  out(text: string): void {
    this.stdout += text
  }

  err(text: string): void {
    this.stderr += text
  }
}

/** Stdout/stderr writes buffered in 64 KiB chunks (`flush()` at the end). */
export class ProcessSink implements DumpSink {
  private pending = ''
  constructor(private readonly quiet = false) {}
  out(text: string): void {
    if (this.quiet) return
    this.pending += text
    if (this.pending.length >= 65536) this.flush()
  }

  err(text: string): void {
    this.flush()
    process.stderr.write(text)
  }

  flush(): void {
    if (this.pending !== '') process.stdout.write(this.pending)
    this.pending = ''
  }
}

/** Problems found while dumping, keyed by absolute file path, printed at the end as Kafka prints them. */
export class DumpProblems {
  /** `.index` entries whose offset is not the last offset of the batch at their position (newest first, as Kafka's prepended list). */
  readonly indexMismatches = new Map<string, [number, number][]>()
  readonly timeIndexMismatches = new Map<string, [number, number][]>()
  readonly timeIndexOutOfOrder = new Map<string, [number, number][]>()
  readonly timeIndexOffsetNotFound = new Map<string, [number, number][]>()
  /** Consecutive records of a `.log` whose offsets are not consecutive (newest first). */
  readonly nonConsecutive = new Map<string, [number, number][]>()

  static prepend(map: Map<string, [number, number][]>, file: string, pair: [number, number]): void {
    map.set(file, [pair, ...(map.get(file) ?? [])])
  }

  static append(map: Map<string, [number, number][]>, file: string, pair: [number, number]): void {
    const list = map.get(file) ?? []
    list.push(pair)
    map.set(file, list)
  }

  /** Kafka's end-of-run stderr report (`DumpLogSegments.main`, `TimeIndexDumpErrors.printErrors`). */
  print(sink: DumpSink): void {
    for (const [file, list] of this.indexMismatches) {
      sink.err(`Mismatches in :${file}\n` + list.map(([i, l]) => `  Index offset: ${i}, log offset: ${l}\n`).join(''))
    }
    for (const [file, list] of this.timeIndexMismatches) {
      sink.err(`Found timestamp mismatch in :${file}\n` + list.map(([i, l]) => `  Index timestamp: ${i}, log timestamp: ${l}\n`).join(''))
    }
    for (const [file, list] of this.timeIndexOutOfOrder) {
      sink.err(`Found out of order timestamp in :${file}\n` + list.map(([i, p]) => `  Index timestamp: ${i}, Previously indexed timestamp: ${p}\n`).join(''))
    }
    for (const list of this.timeIndexOffsetNotFound.values()) {
      sink.err('The following indexed offsets are not found in the log.\n' + list.map(([i, l]) => `Indexed offset: ${i}, found log offset: ${l}\n`).join(''))
    }
    for (const [file, list] of this.nonConsecutive) {
      sink.err(`Non-consecutive offsets in ${file}\n` + list.map(([a, b]) => `  ${a} is followed by ${b}\n`).join(''))
    }
  }
}
