/**
 * `partition.metadata` (Kafka `PartitionMetadataFile`, spec §3.5): exactly two lines,
 * `version: 0` and `topic_id: <uuid base64>`; written via temp file + rename.
 *
 * Not fsynced (Kafka fsyncs it, on its own threads): two fsyncs per new partition block the event
 * loop ~2 ms each, which made creating thousands of partitions stall the node. The file is
 * recoverable: the topic id is in the metadata log, and a log whose file did not survive a crash
 * (absent, or empty after a rename that reached the disk before the data) gets it rewritten when
 * the broker next applies the topic's partitions (LogManager.getOrCreateLog).
 */
import fs from 'node:fs'
import path from 'node:path'

export const PARTITION_METADATA_FILE = 'partition.metadata'

export function writePartitionMetadata(dir: string, topicId: string): void {
  const file = path.join(dir, PARTITION_METADATA_FILE)
  const tmp = `${file}.tmp`
  fs.writeFileSync(tmp, `version: 0\ntopic_id: ${topicId}\n`)
  fs.renameSync(tmp, file)
}

/** Topic id from `partition.metadata`, or undefined when absent or empty (see above). Throws on a malformed file. */
export function readPartitionMetadata(dir: string): string | undefined {
  const file = path.join(dir, PARTITION_METADATA_FILE)
  if (!fs.existsSync(file)) return undefined
  const text = fs.readFileSync(file, 'utf8')
  if (text.length === 0) return undefined
  const lines = text.split('\n')
  const v = /^version:\s*(\d+)$/.exec(lines[0]?.trim() ?? '')
  const t = /^topic_id:\s*(\S+)$/.exec(lines[1]?.trim() ?? '')
  if (!v || v[1] !== '0' || !t) throw new Error(`Malformed partition metadata file ${file}`)
  return t[1]
}
