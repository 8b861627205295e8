/**
 * Shape of the wire fixture files in test/fixtures/wire/<client>.json, written by
 * scripts/capture-fixtures.ts and read by test/unit/protocol/client-fixtures.test.ts.
 */

/** One fixture: a request frame and the broker's response frame, as payload hex (no size prefix). */
export interface WireFixture {
  api: string
  apiKey: number
  apiVersion: number
  /** Request header + body, as the client wrote it. */
  request: string
  /** Response header + body, as kts wrote it; null for a request with no response (Produce acks=0). */
  response: string | null
}

export interface WireFixtureFile {
  /** Says the file is generated and how to regenerate it. */
  comment: string
  client: string
  clientVersion: string
  fixtures: WireFixture[]
}
