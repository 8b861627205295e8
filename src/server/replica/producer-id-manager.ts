/**
 * Hands out producer ids for InitProducerId from blocks the controller allocates
 * (AllocateProducerIds / ProducerIdsRecord, blocks of 1000; Kafka `RPCProducerIdManager`).
 * Concurrent callers share one in-flight block request.
 */
export interface ProducerIdBlock {
  producerIdStart: number
  producerIdLen: number
}

export class ProducerIdManager {
  private next = 0
  private end = 0
  private pending: Promise<void> | null = null

  constructor(private readonly allocateBlock: () => Promise<ProducerIdBlock>) {}

  /** Next unused producer id; throws if the controller cannot allocate a block. */
  async nextId(): Promise<number> {
    while (this.next >= this.end) {
      if (!this.pending) {
        this.pending = this.allocateBlock().then(
          (b) => {
            this.next = b.producerIdStart
            this.end = b.producerIdStart + b.producerIdLen
            this.pending = null
          },
          (err) => {
            this.pending = null
            throw err
          },
        )
      }
      await this.pending
    }
    return this.next++
  }
}
