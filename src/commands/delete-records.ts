import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {bootstrapServerFlag} from '../cli/flags.js'
import {UsageError} from '../cli/errors.js'
import {LogAdmin, tpString} from '../cli/logs/log-admin.js'
import {parseOffsetJson} from '../cli/logs/offset-json.js'
import {javaHashOrder, topicPartitionHash} from '../cli/output/java-hash-order.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {readJsonFile} from '../cli/replicas/leader-election-options.js'

const PROG = 'kts delete-records'

/** `--json` result: the new low watermark, or the error, of each partition. */
export type DeleteRecordsResult = {topic: string, partition: number, lowWatermark?: number, error?: string}[]

/**
 * `kts delete-records --bootstrap-server ... --offset-json-file F [--command-config F]`
 * (kafka-delete-records.sh, Kafka 3.9 `DeleteRecordsCommand`, DeleteRecords): deletes the records
 * of each partition below the given offset (-1 = high watermark) and prints
 * `partition: t-0\tlow_watermark: N` (or `\terror: <exception>`) per partition, in the order of
 * Kafka's result map. A failed partition does not change the exit code, as in Kafka.
 */
export default class DeleteRecords extends KtsCommand {
  static override summary = 'Delete the records of partitions below an offset (kafka-delete-records.sh).'
  static override description = 'This tool helps to delete records of the given partitions down to the specified offset.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --offset-json-file offsets.json',
  ]

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('The server to connect to.'),
    'offset-json-file': Flags.string({
      summary: 'REQUIRED: The JSON file with offset per partition. The format to use is: {"partitions": [{"topic": "foo", "partition": 1, "offset": 1}], "version":1}',
      helpValue: '<String: Offset json file path>',
    }),
    'command-config': Flags.string({summary: 'A property file containing configs to be passed to Admin Client.', helpValue: '<String: command config property file path>'}),
  }

  async run(): Promise<DeleteRecordsResult> {
    const {flags} = await this.parse(DeleteRecords)
    if (flags['offset-json-file'] === undefined) throw new UsageError('Missing required argument "[offset-json-file]"')
    const partitions = parseOffsetJson(readJsonFile(flags['offset-json-file']))
    const target = adminTarget({bootstrapServer: flags['bootstrap-server']}, {prog: PROG}, flags['command-config'])
    const json = this.jsonEnabled()
    const print = (s: string): void => {
      if (!json) process.stdout.write(s)
    }
    const admin = new LogAdmin(target)
    try {
      print('Executing records delete operation\n')
      const results = await admin.deleteRecords(partitions)
      print('Records delete operation completed:\n')
      const out: DeleteRecordsResult = []
      for (const tp of javaHashOrder(partitions, topicPartitionHash)) {
        const r = results.get(tpString(tp))
        if (r === undefined) continue
        if (r.ok) {
          print(`partition: ${tpString(tp)}\tlow_watermark: ${r.value}\n`)
          out.push({topic: tp.topic, partition: tp.partition, lowWatermark: r.value})
        } else {
          print(`partition: ${tpString(tp)}\terror: ${r.error}\n`)
          out.push({topic: tp.topic, partition: tp.partition, error: r.error})
        }
      }
      return out
    } finally {
      admin.close()
    }
  }
}
