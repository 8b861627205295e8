/**
 * `partition.metadata` (Kafka `PartitionMetadataFile`, spec §3.5): exactly two lines,
 * `version: 0` and `topic_id: <uuid base64>`; written via temp file + rename.
 */
import fs from 'node:fs'
import path from 'node:path'
import {fsyncDir} from './checkpoint-file.js'

export const PARTITION_METADATA_FILE = 'partition.metadata'

export function writePartitionMetadata(dir: string, topicId: string): void {
  const file = path.join(dir, PARTITION_METADATA_FILE)
  const tmp = `${file}.tmp`
  const fd = fs.openSync(tmp, 'w')
  try {
    fs.writeSync(fd, `version: 0\ntopic_id: ${topicId}\n`)
    fs.fsyncSync(fd)
  } finally { fs.closeSync(fd) }
  fs.renameSync(tmp, file)
  fsyncDir(dir)
}

/** Topic id from `partition.metadata`, or undefined when absent. Throws on a malformed file. */
export function readPartitionMetadata(dir: string): string | undefined {
  const file = path.join(dir, PARTITION_METADATA_FILE)
  if (!fs.existsSync(file)) return undefined
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  const v = /^version:\s*(\d+)$/.exec(lines[0]?.trim() ?? '')
  const t = /^topic_id:\s*(\S+)$/.exec(lines[1]?.trim() ?? '')
  if (!v || v[1] !== '0' || !t) throw new Error(`Malformed partition metadata file ${file}`)
  return t[1]
}
