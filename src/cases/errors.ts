/** The workspace's errors: stable codes the HTTP layer maps (404, 409, 400, 403). */
import { LockstepError } from '../model/index.js';

export const caseNotFound = (what: string): LockstepError => new LockstepError('case/not-found', `${what} not found`);
export const caseConflict = (message: string): LockstepError => new LockstepError('case/conflict', message);
export const caseBadRequest = (message: string): LockstepError => new LockstepError('case/bad-request', message);
export const caseForbidden = (message: string): LockstepError => new LockstepError('case/forbidden', message);
