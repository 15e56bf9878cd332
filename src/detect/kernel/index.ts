export type { KernelOptions, KernelResult, KernelStats, PairSink, PairTable, TraceEvents } from './types.js';
export { KERNEL_DEFAULTS, MAX_EVENTS, coActionPairs } from './kernel.js';
export { MAX_RESULT_PAIRS, emptyPairTable } from './partitioned-pairs.js';
export { PairIndex } from './pair-index.js';
export type { SortedEvents } from './sort.js';
export { sortByKeyTime } from './sort.js';
export type { ReferencePair } from './reference.js';
export { referenceCoActionPairs } from './reference.js';
