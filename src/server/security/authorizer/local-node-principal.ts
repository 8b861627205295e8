/**
 * The principal of requests a node sends to its own controller in-process (combined mode: broker
 * registration, heartbeats, internal topic creation). Kafka sends these over the controller
 * listener as the broker's authenticated principal, which operators list in `super.users`; kts
 * skips the socket, so the authorizer recognises this one object (by identity, never by name: a
 * client named alike gets no rights from it).
 */
import type {KafkaPrincipal} from '../kafka-principal.js'

export const LOCAL_NODE_PRINCIPAL: KafkaPrincipal = Object.freeze({principalType: 'User', name: 'kts-local-node'})
