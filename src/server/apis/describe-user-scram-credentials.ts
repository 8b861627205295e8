// DescribeUserScramCredentials (50): v0 (KIP-554), answered by any node from its metadata image
// (Kafka's `ScramImage.describe` through the broker's metadata cache): mechanisms and iterations
// only, never salts or keys. Errors per user: RESOURCE_NOT_FOUND, DUPLICATE_RESOURCE
// (controller/scram-control.ts).
import {DescribeUserScramCredentialsApi, type DescribeUserScramCredentialsRequest, type DescribeUserScramCredentialsResponse} from '../../protocol/generated/messages/describe-user-scram-credentials.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {CommonServices} from '../services.js'
import {describeUserScramCredentials as describe} from '../controller/scram-control.js'
import {defineApi, type RequestContext} from './registry.js'

function handle(req: DescribeUserScramCredentialsRequest, ctx: RequestContext<CommonServices>): Input<DescribeUserScramCredentialsResponse> {
  const results = describe(ctx.services.metadata.image, req.users === null ? null : req.users.map((u) => u.name))
  return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results}
}

export const describeUserScramCredentials = defineApi<DescribeUserScramCredentialsRequest, CommonServices>(DescribeUserScramCredentialsApi, 0, 0, handle)
