/** A synthetic archive's accounts, logins and IP table, in memory, for signal tests. */
import type { Actor, InfraObservation } from '../../model/index.js';
import { generateSynthetic } from '../../synth/index.js';
import { infraFiles } from '../../synth/infra-files.js';
import type { InfraWorld } from '../../synth/infra-plan.js';
import { buildIpTable } from '../ip-table.js';
import type { IpTable } from '../ip-table.js';
import { actorFromUserRow } from './users.js';

export interface InfraFixture { actors: Actor[]; logins: InfraObservation[]; table: IpTable; world: InfraWorld; campaigns: Map<string, string[]>; organic: string[] }

export function infraFixture(seed: number, scale: number): InfraFixture {
  const tables = generateSynthetic({ seed, scale });
  const infra = infraFiles(seed, scale, tables.users, tables.truth);
  const loginFile = infra.files.find((file) => file.name === 'logins.csv');
  const logins = [...(loginFile?.rows ?? [])].map((row): InfraObservation => ({ platform: 'twitter', actorId: row[0] ?? '', time: Date.parse(row[1] ?? ''), ip: row[2] ?? '', userAgent: row[3] ?? null, event: 'login' }));
  const campaigns = new Map<string, string[]>();
  const organic: string[] = [];
  for (const row of tables.truth) {
    const campaign = row[1] ?? '';
    if (campaign === '') { organic.push(row[0] ?? ''); continue; }
    let list = campaigns.get(campaign);
    if (list === undefined) campaigns.set(campaign, (list = []));
    list.push(row[0] ?? '');
  }
  return { actors: [...tables.users].map(actorFromUserRow), logins, table: buildIpTable(infra.world.networks), world: infra.world, campaigns, organic };
}
