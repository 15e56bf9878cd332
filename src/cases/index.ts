/** Cases, decisions, enforcement and the audit log of the investigation workspace. */
export { CaseService } from './service.js';
export type { CaseDetail, CaseServiceDeps, ClusterSource, DecideRequest, DecisionChange } from './service.js';
export type { CaseFilter, WorkspaceStore } from './port.js';
export { canonicalJson, verifyAuditChain, GENESIS_HASH } from './audit.js';
export type { AuditVerdict } from './audit.js';
export { transitionProblem, transitionRole } from './state.js';
export * from './types.js';
