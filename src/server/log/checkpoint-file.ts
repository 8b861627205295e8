/**
 * Kafka's generic `CheckpointFile` text format (`server-common/.../CheckpointFile.java`,
 * spec §3.5): line 1 = version, line 2 = entry count N, then N entry lines, `\n` line ends.
 * Written to `<name>.tmp`, fsynced, renamed over the old file, then the directory is fsynced.
 */
import fs from 'node:fs'
import path from 'node:path'

/** Writes `lines` atomically with the version/count header. */
export function writeCheckpointFile(file: string, version: number, lines: string[], opts: {sync?: boolean} = {}): void {
  const tmp = `${file}.tmp`
  const text = `${version}\n${lines.length}\n${lines.map(l => `${l}\n`).join('')}`
  if (opts.sync === false) {
    fs.writeFileSync(tmp, text)
    fs.renameSync(tmp, file)
    return
  }
  const fd = fs.openSync(tmp, 'w')
  try {
    fs.writeSync(fd, text)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
  fsyncDir(path.dirname(file))
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

export function writeOffsetCheckpoint(file: string, entries: Array<{topic: string, partition: number, offset: number}>): void {
  writeCheckpointFile(file, 0, entries.map(e => `${e.topic} ${e.partition} ${e.offset}`))
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // some filesystems refuse directory fsync; Kafka ignores that too
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
