/**
 * Replica assignment for `kts reassign-partitions --generate` (Kafka 3.9
 * `AdminUtils.assignReplicasToBrokers`): the first replica of each partition round-robin from a
 * random start over the broker list (rack-alternated when every broker has a rack), the others with
 * an increasing shift; rack-aware assignment puts replicas on racks without one first.
 */

/** A broker and its rack (Kafka `BrokerMetadata`). */
export interface BrokerRack {
  id: number
  rack: string | null
}

/** A failure with Kafka's message (InvalidPartitionsException, InvalidReplicationFactorException, AdminOperationException). */
export class AssignmentError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AssignmentError'
  }
}

/** Kafka `AdminUtils.replicaIndex`. */
function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, replica: number, nBrokers: number): number {
  const shift = 1 + (secondReplicaShift + replica) % (nBrokers - 1)
  return (firstReplicaIndex + shift) % nBrokers
}

/**
 * Brokers ordered so that consecutive ones are on different racks: racks sorted, brokers of each
 * rack sorted, taken one rack at a time (Kafka `getRackAlternatedBrokerList`).
 */
export function rackAlternatedBrokerList(brokers: readonly BrokerRack[]): number[] {
  const byRack = new Map<string, number[]>()
  for (const b of brokers) byRack.set(b.rack ?? '', [...(byRack.get(b.rack ?? '') ?? []), b.id])
  const racks = [...byRack.keys()].sort()
  const iterators = racks.map(r => byRack.get(r)!.sort((a, b) => a - b))
  const positions = racks.map(() => 0)
  const out: number[] = []
  let rack = 0
  while (out.length < brokers.length) {
    if (positions[rack] < iterators[rack].length) out.push(iterators[rack][positions[rack]++])
    rack = (rack + 1) % racks.length
  }
  return out
}

/**
 * Partition id → replicas for `nPartitions` partitions of `replicationFactor` replicas.
 * @param random an integer in [0, n) (Kafka `Random.nextInt`); fixed in tests
 * @throws AssignmentError `Number of partitions must be larger than 0.`, `Replication factor must be larger than 0.`,
 *   `Replication factor: 3 larger than available brokers: 2.`, `Not all brokers have rack information for replica rack aware assignment.`
 */
export function assignReplicasToBrokers(brokers: readonly BrokerRack[], nPartitions: number, replicationFactor: number,
  random: (n: number) => number = n => Math.floor(Math.random() * n)): Map<number, number[]> {
  if (nPartitions <= 0) throw new AssignmentError('Number of partitions must be larger than 0.')
  if (replicationFactor <= 0) throw new AssignmentError('Replication factor must be larger than 0.')
  if (replicationFactor > brokers.length) throw new AssignmentError(`Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`)
  const rackAware = brokers.some(b => b.rack !== null)
  if (rackAware && brokers.some(b => b.rack === null)) throw new AssignmentError('Not all brokers have rack information for replica rack aware assignment.')
  const list = rackAware ? rackAlternatedBrokerList(brokers) : brokers.map(b => b.id)
  const rackOf = new Map(brokers.map(b => [b.id, b.rack ?? '']))
  const numRacks = new Set(brokers.map(b => b.rack ?? '')).size
  const n = list.length
  const out = new Map<number, number[]>()
  const startIndex = random(n)
  let nextReplicaShift = random(n)
  for (let p = 0; p < nPartitions; p++) {
    if (p > 0 && p % n === 0) nextReplicaShift += 1
    const first = (p + startIndex) % n
    const replicas = [list[first]]
    if (!rackAware) {
      for (let j = 0; j < replicationFactor - 1; j++) replicas.push(list[replicaIndex(first, nextReplicaShift, j, n)])
    } else {
      const racksWithReplicas = new Set([rackOf.get(list[first])])
      const brokersWithReplicas = new Set([list[first]])
      let k = 0
      for (let j = 0; j < replicationFactor - 1; j++) {
        for (;;) {
          const broker = list[replicaIndex(first, nextReplicaShift * numRacks, k, n)]
          const rack = rackOf.get(broker)
          k++
          if ((!racksWithReplicas.has(rack) || racksWithReplicas.size === numRacks) && (!brokersWithReplicas.has(broker) || brokersWithReplicas.size === n)) {
            replicas.push(broker)
            racksWithReplicas.add(rack)
            brokersWithReplicas.add(broker)
            break
          }
        }
      }
    }
    out.set(p, replicas)
  }
  return out
}
