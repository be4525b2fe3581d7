// The five parts of the seed's administration session, in order.
import type { Part } from '../types.js';
import { usersPart } from './1-users.js';
import { backupPart } from './2-backup.js';
import { performancePart } from './3-performance.js';
import { maintenancePart } from './4-maintenance.js';
import { securityPart } from './5-security.js';

export const PARTS: readonly Part[] = [usersPart, backupPart, performancePart, maintenancePart, securityPart];
