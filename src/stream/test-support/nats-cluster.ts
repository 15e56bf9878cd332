/**
 * A throwaway 3-node NATS JetStream cluster on 127.0.0.1 for tests: Debian's `nats-server`,
 * OS-chosen free ports, temporary store directories; nodes can be killed one by one (fault
 * tests) and everything is removed by `stop()`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StorageType } from 'nats';
import { freePort } from '../../test-support/free-port.js';

/** The stream made and deleted to learn that the cluster can place a stream on all its nodes. */
const READINESS_PROBE = 'lockstep_cluster_ready';

export interface NatsCluster {
  /** Client URLs of the nodes, `nats://127.0.0.1:port`. */
  urls: string[];
  /** Process ids of the nodes (benches read their CPU time). */
  pids: number[];
  /** Kills node `index` (SIGKILL: no goodbye to its peers). */
  kill(index: number): void;
  stop(): Promise<void>;
}

/** Starts the cluster (Debian installs the server in /usr/sbin, not on every user's PATH) and waits until JetStream can place a stream replicated on every node. */
export async function startNatsCluster(nodes = 3, binary = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server'): Promise<NatsCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-nats-'));
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < nodes; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
  const children: ChildProcess[] = [];
  const logs: string[][] = [];
  for (let i = 0; i < nodes; i++) {
    const log: string[] = [];
    logs.push(log);
    const child = spawn(binary, [
      '-a', '127.0.0.1', '-p', String(clientPorts[i]), '-n', `n${i}`, '-js', '-sd', join(dir, `n${i}`),
      '--cluster_name', 'lockstep', '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => { log.push(chunk.toString()); if (log.length > 200) log.shift(); });
    children.push(child);
  }
  const urls = clientPorts.map((port) => `nats://127.0.0.1:${port}`);
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    })));
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const nc = await connect({ servers: urls, timeout: 1_000 });
      try {
        const jsm = await nc.jetstreamManager({ timeout: 2_000 });
        await jsm.getAccountInfo();
        // A meta leader answers before it counts its peers as current; until then an R3 stream is
        // refused with "no suitable peers for placement" (seen in CI). Ready means one can be placed.
        await jsm.streams.add({ name: READINESS_PROBE, subjects: [READINESS_PROBE], num_replicas: nodes, storage: StorageType.Memory });
        await jsm.streams.delete(READINESS_PROBE);
        break;
      } finally {
        await nc.close();
      }
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`NATS cluster did not start: ${error instanceof Error ? error.message : String(error)}\n${logs.map((log) => log.join('')).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    urls,
    pids: children.map((child) => child.pid ?? -1),
    kill: (index) => { children[index]?.kill('SIGKILL'); },
    stop,
  };
}
