export type { AttributeType, AttributeValue, ExportEdge, ExportNode, NetworkExport, NodeAttribute } from './network.js';
export { traceAttributeName } from './network.js';
export type { GraphFormatOptions } from './graph-formats.js';
export { GRAPH_FORMAT_DEFAULTS, gexfChunks, graphmlChunks } from './graph-formats.js';
export type { AccountRow, AccountsCsvOptions, TableOptions } from './tables.js';
export { ACCOUNTS_HEADER, EDGES_HEADER, TABLE_DEFAULTS, accountsCsvChunks, csvField, edgesCsvChunks } from './tables.js';
