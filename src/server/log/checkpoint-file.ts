/**
 * Kafka's generic `CheckpointFile` text format (`server-common/.../CheckpointFile.java`,
 * spec §3.5): line 1 = version, line 2 = entry count N, then N entry lines, `\n` line ends.
 * Written to `<name>.tmp`, fsynced, renamed over the old file, then the directory is fsynced:
 * synchronously (start-up, shutdown, tools) or on libuv's thread pool through the file's
 * `AtomicFileWriter` (serialized and coalesced per file; while serving).
 */
import fs from 'node:fs'
import {atomicFileWriter, busyFileWriter, atomicWriteFileSync, fsyncDirSync} from './atomic-file-writer.js'

/** The file's text: version, entry count, one line per entry. */
export function checkpointText(version: number, lines: readonly string[]): string {
  return `${version}\n${lines.length}\n${lines.map(l => `${l}\n`).join('')}`
}

/**
 * Writes `lines` atomically with the version/count header, synchronously (`sync: false`: no
 * fsync). Safe while an async write of the same file is in flight. Throws the fs error.
 */
export function writeCheckpointFile(file: string, version: number, lines: string[], opts: {sync?: boolean} = {}): void {
  const text = checkpointText(version, lines)
  const fsync = opts.sync !== false
  const busy = busyFileWriter(file)
  if (busy) busy.writeSync(text, {fsync})
  else atomicWriteFileSync(file, `${file}.tmp`, text, fsync)
}

/**
 * Writes `lines` atomically with the version/count header on the thread pool (tmp, fsync unless
 * `sync: false`, rename, directory fsync), after any write of the same file in flight; writes
 * requested meanwhile are coalesced (only the latest content is written). Resolves once this
 * content or newer is in place; rejects with the fs error (the old file then stays intact).
 */
export function writeCheckpointFileAsync(file: string, version: number, lines: readonly string[], opts: {sync?: boolean} = {}): Promise<void> {
  return atomicFileWriter(file).write(checkpointText(version, lines), {fsync: opts.sync !== false})
}

/**
 * Reads the entry lines (each split on whitespace). Missing file → []. Throws an Error with the
 * file name on a bad version or count (Kafka: IOException "Malformed line in checkpoint file").
 */
export function readCheckpointFile(file: string, expectedVersion = 0): string[][] {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
  const lines = text.split('\n')
  const version = Number(lines[0])
  if (lines[0]?.trim() === '' || version !== expectedVersion) throw new Error(`Unrecognized version of the checkpoint file ${file}: ${lines[0]}`)
  const count = Number(lines[1])
  if (!Number.isInteger(count) || count < 0) throw new Error(`Malformed line in checkpoint file ${file}: ${lines[1]}`)
  const out: string[][] = []
  for (let i = 0; i < count; i++) {
    const l = lines[2 + i]
    if (l === undefined) throw new Error(`Expected ${count} entries in checkpoint file ${file}, but found only ${i}`)
    out.push(l.trim().split(/\s+/))
  }
  return out
}

/** Per-partition offsets file (`topic partition offset`), keyed `${topic}-${partition}`. */
export function readOffsetCheckpoint(file: string): Map<string, {topic: string, partition: number, offset: number}> {
  const m = new Map<string, {topic: string, partition: number, offset: number}>()
  for (const f of readCheckpointFile(file)) {
    if (f.length !== 3) throw new Error(`Malformed line in checkpoint file ${file}: ${f.join(' ')}`)
    const partition = Number(f[1]); const offset = Number(f[2])
    if (!Number.isInteger(partition) || !Number.isInteger(offset)) throw new Error(`Malformed line in checkpoint file ${file}: ${f.join(' ')}`)
    m.set(`${f[0]}-${partition}`, {topic: f[0], partition, offset})
  }
  return m
}

/** Writes a per-partition offsets file synchronously (start-up, shutdown, tools). */
export function writeOffsetCheckpoint(file: string, entries: ReadonlyArray<{topic: string, partition: number, offset: number}>): void {
  writeCheckpointFile(file, 0, entries.map(e => `${e.topic} ${e.partition} ${e.offset}`))
}

/** Writes a per-partition offsets file on the thread pool (see `writeCheckpointFileAsync`). */
export function writeOffsetCheckpointAsync(file: string, entries: ReadonlyArray<{topic: string, partition: number, offset: number}>): Promise<void> {
  return writeCheckpointFileAsync(file, 0, entries.map(e => `${e.topic} ${e.partition} ${e.offset}`))
}

/** fsyncs a directory synchronously, ignoring filesystems that refuse it (Kafka `Utils.flushDir`). */
export function fsyncDir(dir: string): void {
  fsyncDirSync(dir)
}
