/**
 * Deep partial used by generated writers: any field left undefined is written as its schema
 * default. Stops at Buffer, so byte fields stay whole.
 */
export type Input<T> = T extends Buffer
  ? T
  : T extends (infer U)[]
    ? Input<U>[]
    : T extends object
      ? {[K in keyof T]?: Input<T[K]>}
      : T
