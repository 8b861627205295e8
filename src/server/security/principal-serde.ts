/**
 * The principal a broker puts in an Envelope's `requestPrincipal` when it forwards a client's
 * request (KIP-590), as Kafka's `DefaultKafkaPrincipalBuilder.serialize` writes it: an int16 schema
 * version (0) followed by a flexible DefaultPrincipalData {Type, Name, TokenAuthenticated}
 * (Kafka `MessageUtil.toVersionPrefixedBytes`).
 */
import {readDefaultPrincipalData, writeDefaultPrincipalData} from '../../protocol/generated/data/default-principal-data.js'
import {ProtocolDecodeError, Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import type {KafkaPrincipal} from './kafka-principal.js'

/** `principal` as Envelope.requestPrincipal bytes. */
export function serializePrincipal(principal: KafkaPrincipal): Buffer {
  const w = new Writer(32)
  w.writeInt16(0)
  writeDefaultPrincipalData(w, {type: principal.principalType, name: principal.name, tokenAuthenticated: false}, 0)
  return w.toBuffer()
}

/** The principal of Envelope.requestPrincipal. @throws ProtocolDecodeError for bytes that are not one */
export function deserializePrincipal(bytes: Buffer): KafkaPrincipal {
  const r = new Reader(bytes)
  const version = r.readInt16()
  if (version !== 0) throw new ProtocolDecodeError(`Unsupported DefaultPrincipalData version ${version}`)
  const d = readDefaultPrincipalData(r, version)
  return {principalType: d.type, name: d.name}
}
