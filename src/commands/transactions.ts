import {Args, Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {TerseError, UsageError} from '../cli/errors.js'
import {bootstrapServerFlag} from '../cli/flags.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {KafkaCallError, TransactionAdmin, type ProducerState, type TransactionDescription, type TransactionListing} from '../cli/transactions/transaction-admin.js'
import {renderDescribe, renderHanging, renderList, renderProducers, type HangingTransaction} from '../cli/transactions/render-transactions.js'

const PROG = 'kts transactions'
const SUBCOMMANDS = ['list', 'describe', 'describe-producers', 'abort', 'find-hanging']

/** `--json` result of each subcommand. */
export type TransactionsResult =
  | {transactions: TransactionListing[]}
  | {transactionalId: string, description: TransactionDescription}
  | {topic: string, partition: number, producers: ProducerState[]}
  | {aborted: {topic: string, partition: number, producerId: number, producerEpoch: number, coordinatorEpoch: number}}
  | {hanging: HangingTransaction[]}

/** Kafka `printErrorAndExit(message, cause)`: `<message>: <cause message>. Enable debug logging for additional detail.` */
function failWith(message: string, err: unknown): never {
  if (err instanceof KafkaCallError) {
    throw new TerseError(`${message}: ${err.message}. Enable debug logging for additional detail.`, {kafkaErrorCode: err.code, cause: err})
  }
  throw err
}

/**
 * `kts transactions --bootstrap-server host:port [--command-config FILE] list | describe
 * --transactional-id ID | describe-producers --topic T --partition P [--broker-id N] | abort --topic T
 * --partition P (--start-offset O | --producer-id I --producer-epoch E --coordinator-epoch C) |
 * find-hanging (--broker-id N | --topic T [--partition P]) [--max-transaction-timeout MIN]`
 * (kafka-transactions.sh, Kafka 3.9 `TransactionsCommand`: same tables, tab-separated padded cells,
 * and error lines).
 */
export default class Transactions extends KtsCommand {
  static override summary = 'Analyze the transactional state of producers and abort hanging transactions (kafka-transactions.sh).'
  static override description = 'This tool is used to analyze the transactional state of producers in the cluster. It can be used to detect and recover from hanging transactions.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 list',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 describe --transactional-id my-txn',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 describe-producers --topic orders --partition 0',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 find-hanging --broker-id 1',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 abort --topic orders --partition 0 --start-offset 42',
  ]

  static override args = {
    command: Args.string({description: SUBCOMMANDS.join(' | ')}),
  }

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('hostname and port for the broker to connect to, in the form `host:port` (multiple comma-separated entries can be given)'),
    'command-config': Flags.string({summary: 'property file containing configs to be passed to admin client', helpValue: 'FILE'}),
    'transactional-id': Flags.string({summary: 'describe: transactional id', helpGroup: 'DESCRIBE'}),
    topic: Flags.string({summary: 'describe-producers, abort: topic name; find-hanging: topic name to limit search to', helpGroup: 'PARTITION'}),
    partition: Flags.integer({summary: 'partition number', helpGroup: 'PARTITION'}),
    'broker-id': Flags.integer({summary: 'describe-producers: optional broker id to describe the producer state on a specific replica; find-hanging: broker id to search for hanging transactions', helpGroup: 'PARTITION'}),
    'start-offset': Flags.integer({summary: 'abort: start offset of the transaction to abort', helpGroup: 'ABORT'}),
    'producer-id': Flags.integer({summary: 'abort (brokers older than 3.0): producer id', helpGroup: 'ABORT'}),
    'producer-epoch': Flags.integer({summary: 'abort (brokers older than 3.0): producer epoch', helpGroup: 'ABORT'}),
    'coordinator-epoch': Flags.integer({summary: 'abort (brokers older than 3.0): coordinator epoch', helpGroup: 'ABORT'}),
    'max-transaction-timeout': Flags.integer({summary: 'find-hanging: maximum transaction timeout in minutes to limit the scope of the search', default: 15, helpGroup: 'FIND-HANGING'}),
  }

  async run(): Promise<TransactionsResult> {
    const {args, flags} = await this.parse(Transactions)
    if (args.command === undefined) throw new UsageError(`${PROG}: error: too few arguments`)
    if (!SUBCOMMANDS.includes(args.command)) {
      throw new UsageError(`${PROG}: error: invalid choice: '${args.command}' (choose from ${SUBCOMMANDS.map(s => `'${s}'`).join(', ')})`)
    }
    const cmd = args.command
    const required = (name: string, v: unknown): void => {
      if (v === undefined) throw new UsageError(`${PROG} ${cmd}: error: argument --${name} is required`)
    }
    if (cmd === 'describe') required('transactional-id', flags['transactional-id'])
    if (cmd === 'describe-producers' || cmd === 'abort') {
      required('topic', flags.topic)
      required('partition', flags.partition)
    }
    const target = adminTarget({bootstrapServer: flags['bootstrap-server']}, {prog: PROG}, flags['command-config'])
    const admin = new TransactionAdmin(target)
    const print = (s: string): void => {
      if (!this.jsonEnabled()) process.stdout.write(s)
    }
    try {
      switch (cmd) {
        case 'list': {
          let transactions: TransactionListing[]
          try {
            transactions = await admin.listTransactions()
          } catch (e) {
            failWith('Failed to list transactions', e)
          }
          print(renderList(transactions))
          return {transactions}
        }
        case 'describe': {
          const id = flags['transactional-id']!
          let description: TransactionDescription
          try {
            description = await admin.describeTransaction(id)
          } catch (e) {
            failWith(`Failed to describe transaction state of transactional-id \`${id}\``, e)
          }
          print(renderDescribe(id, description, Date.now()))
          return {transactionalId: id, description}
        }
        case 'describe-producers': {
          const topic = flags.topic!
          const partition = flags.partition!
          const brokerId = flags['broker-id']
          let producers: ProducerState[]
          try {
            producers = (await admin.describeProducers([{topic, partition}], brokerId)).get(`${topic}-${partition}`) ?? []
          } catch (e) {
            failWith(`Failed to describe producers for partition ${topic}-${partition} on ${brokerId === undefined ? 'leader' : `broker ${brokerId}`}`, e)
          }
          print(renderProducers(producers))
          return {topic, partition, producers}
        }
        case 'abort':
          return await this.abort(admin, flags.topic!, flags.partition!, flags)
        default:
          return await this.findHanging(admin, flags, print)
      }
    } finally {
      admin.close()
    }
  }

  /** Kafka `AbortTransactionCommand`: by start offset (looked up with DescribeProducers) or by producer id/epoch/coordinator epoch. */
  private async abort(admin: TransactionAdmin, topic: string, partition: number,
    flags: {'start-offset'?: number, 'producer-id'?: number, 'producer-epoch'?: number, 'coordinator-epoch'?: number}): Promise<TransactionsResult> {
    const tp = `${topic}-${partition}`
    let spec: {producerId: number, producerEpoch: number, coordinatorEpoch: number}
    if (flags['start-offset'] === undefined && flags['producer-id'] === undefined) {
      throw new TerseError('The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)')
    }
    if (flags['start-offset'] === undefined) {
      if (flags['producer-epoch'] === undefined) throw new TerseError('Missing required argument --producer-epoch')
      if (flags['coordinator-epoch'] === undefined) throw new TerseError('Missing required argument --coordinator-epoch')
      spec = {producerId: flags['producer-id']!, producerEpoch: flags['producer-epoch'], coordinatorEpoch: Math.max(0, flags['coordinator-epoch'])}
    } else {
      let producers: ProducerState[]
      try {
        producers = (await admin.describeProducers([{topic, partition}])).get(tp) ?? []
      } catch (e) {
        failWith(`Failed to validate producer state for partition ${tp}`, e)
      }
      const found = producers.find(p => p.currentTransactionStartOffset === flags['start-offset'])
      if (!found) throw new TerseError(`Could not find any open transactions starting at offset ${flags['start-offset']} on partition ${tp}`)
      spec = {producerId: found.producerId, producerEpoch: found.producerEpoch, coordinatorEpoch: Math.max(0, found.coordinatorEpoch)}
    }
    try {
      await admin.abortTransaction(topic, partition, spec.producerId, spec.producerEpoch, spec.coordinatorEpoch)
    } catch (e) {
      failWith(`Failed to abort transaction AbortTransactionSpec(topicPartition=${tp}, producerId=${spec.producerId}, producerEpoch=${spec.producerEpoch}, coordinatorEpoch=${spec.coordinatorEpoch})`, e)
    }
    return {aborted: {topic, partition, ...spec}}
  }

  /**
   * Kafka `FindHangingTransactionsCommand`: open transactions (DescribeProducers) older than
   * --max-transaction-timeout whose producer id has no transactional id (ListTransactions), whose id
   * is unknown (DescribeTransactions), or whose transaction does not include the partition.
   */
  private async findHanging(admin: TransactionAdmin, flags: {topic?: string, partition?: number, 'broker-id'?: number, 'max-transaction-timeout': number},
    print: (s: string) => void): Promise<TransactionsResult> {
    const brokerId = flags['broker-id']
    if (flags.topic === undefined && brokerId === undefined) {
      throw new TerseError('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search')
    }
    if (flags.partition !== undefined && flags.topic === undefined) throw new TerseError('The --partition argument requires --topic to be provided')
    const maxMs = flags['max-transaction-timeout'] * 60_000
    let partitions: {topic: string, partition: number}[]
    if (flags.topic !== undefined && flags.partition !== undefined) {
      partitions = [{topic: flags.topic, partition: flags.partition}]
    } else {
      let md
      try {
        md = await admin.metadata(flags.topic === undefined ? null : [flags.topic])
      } catch (e) {
        failWith(flags.topic === undefined ? 'Failed to list topics' : 'Failed to describe 1 topics', e)
      }
      partitions = md.topics.filter(t => !t.name.startsWith('__')).flatMap(t => t.partitions
        .filter(p => brokerId === undefined || p.replicas.includes(brokerId)).map(p => ({topic: t.name, partition: p.partition})))
    }
    const now = Date.now()
    const candidates: HangingTransaction[] = []
    if (partitions.length > 0) {
      let producers: Map<string, ProducerState[]>
      try {
        producers = await admin.describeProducers(partitions, brokerId)
      } catch (e) {
        failWith(`Failed to describe producers for ${partitions.length} partitions on broker ${brokerId === undefined ? 'Optional.empty' : `Optional[${brokerId}]`}`, e)
      }
      for (const tp of partitions) {
        for (const p of producers.get(`${tp.topic}-${tp.partition}`) ?? []) {
          if (p.currentTransactionStartOffset >= 0 && now - p.lastTimestamp > maxMs) candidates.push({...tp, producer: p})
        }
      }
    }
    const hanging: HangingTransaction[] = []
    if (candidates.length > 0) {
      const pids = [...new Set(candidates.map(c => c.producer.producerId))]
      let listings: TransactionListing[]
      try {
        listings = await admin.listTransactions(pids)
      } catch (e) {
        failWith(`Failed to list transactions for ${pids.length} producers`, e)
      }
      const idOf = new Map(listings.map(l => [l.producerId, l.transactionalId]))
      const descriptions = new Map<string, TransactionDescription | null>()
      for (const id of new Set(idOf.values())) {
        try {
          descriptions.set(id, await admin.describeTransaction(id))
        } catch (e) {
          if (e instanceof KafkaCallError && e.code === 105) descriptions.set(id, null)
          else failWith(`Failed to describe ${idOf.size} transactions`, e)
        }
      }
      for (const c of candidates) {
        const id = idOf.get(c.producer.producerId)
        const d = id === undefined ? null : descriptions.get(id) ?? null
        if (!d || !d.topicPartitions.includes(`${c.topic}-${c.partition}`)) hanging.push(c)
      }
    }
    print(renderHanging(hanging, now))
    return {hanging}
  }
}
