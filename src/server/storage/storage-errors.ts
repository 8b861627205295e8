/** A storage formatting or verification failure; the message is one line, Kafka's wording where Kafka has one. */
export class StorageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StorageError'
  }
}
