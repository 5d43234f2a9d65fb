// This server process among the nodes sharing the database. Each node keeps
// a row with a heartbeat, and the work it holds (webhook leases, live calls)
// names it. A node is gone when its heartbeat is older than the expiry, or —
// on this same machine and process namespace — when its process no longer
// exists: a server restarted after a crash takes over its predecessor's work
// at once, a node on another machine after the expiry. Whoever notices a
// gone node runs the take-over steps registered here, then removes its row.
import fs from 'node:fs';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock/clock.ts';
import { newUuid } from '../ids.ts';
import type { Database } from '../store/db.ts';
import { nodesRepo } from '../store/repos/nodes.ts';
import type { NodeRow } from '../store/tables/nodes.ts';

export interface NodesOptions {
  /** How often this node proves it is alive and looks for gone ones. Default 5 s. */
  heartbeatMs?: number;
  /** A node silent for this long is gone. Default 30 s. */
  expiryMs?: number;
}

export interface NodesDeps {
  db: Database;
  /** Real time: liveness is not platform time. */
  wall: Clock;
  /** Platform time, recorded with each heartbeat: until when a gone node's calls are known to have been live. */
  clock: Clock;
  logger: Logger;
  options?: NodesOptions;
  /** Whether a process of this machine exists (tests stand in for the operating system). */
  processExists?: (pid: number) => boolean;
}

export interface GoneNode {
  nodeId: string;
  /** Platform time of its last heartbeat. */
  lastSeenAt: number;
}

/** What a node holds, given back when it is gone: run once per gone node by whoever notices. */
export type Takeover = (gone: GoneNode) => Promise<void>;

function readOr(read: () => string, fallback: string): string {
  try {
    return read().trim();
  } catch {
    return fallback;
  }
}

/**
 * The machine (host name and kernel boot) and process namespace: two
 * processes with the same value see the same pids, so a pid that no longer
 * exists means that process is gone.
 */
export function hostKey(): string {
  const boot = readOr(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), '');
  const pidNamespace = readOr(() => fs.readlinkSync('/proc/self/ns/pid'), '');
  return [os.hostname(), boot, pidNamespace].join(' ');
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Nodes {
  /** This process's node id: what its leases and live calls are recorded under. */
  readonly id = newUuid();
  private readonly host = hostKey();
  private readonly heartbeatMs: number;
  private readonly expiryMs: number;
  private readonly takeovers: Takeover[] = [];
  private timer: Timer | undefined;
  private running = false;
  /** Reaps run one at a time. */
  private reaping: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NodesDeps) {
    this.heartbeatMs = deps.options?.heartbeatMs ?? 5_000;
    this.expiryMs = deps.options?.expiryMs ?? 30_000;
  }

  /** Register a take-over step; steps run in registration order. */
  onGone(takeover: Takeover): void {
    this.takeovers.push(takeover);
  }

  /** Join the registry and take over the work of nodes already gone; resolves once that work is taken. */
  async start(): Promise<void> {
    await this.register();
    this.running = true;
    await this.reap();
    this.schedule();
  }

  /** Leave the registry (a clean stop: this node's work was finished or handed back first). */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.reaping;
    await nodesRepo.delete(this.deps.db, this.id);
  }

  /** Look for gone nodes now and take over their work; resolves when done. */
  reap(): Promise<void> {
    this.reaping = this.reaping.then(() => this.reapOnce()).catch((err) => this.deps.logger.error({ err }, 'nodes: could not take over the work of gone nodes'));
    return this.reaping;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.wall.after(this.heartbeatMs, () => void this.tick());
  }

  private async tick(): Promise<void> {
    try {
      const known = await nodesRepo.heartbeat(this.deps.db, this.id, { wall: this.deps.wall.now(), clock: this.deps.clock.now() });
      if (!known && this.running) {
        // Another node judged this one gone (a pause longer than the expiry) and took its work; rejoin so our new work is ours again.
        this.deps.logger.error({ node_id: this.id }, 'nodes: this node was taken for gone; work it held was taken over');
        await this.register();
      }
      await this.reap();
    } catch (err) {
      this.deps.logger.error({ err }, 'nodes: heartbeat failed');
    } finally {
      this.schedule();
    }
  }

  private async register(): Promise<void> {
    const now = this.deps.wall.now();
    await nodesRepo.insert(this.deps.db, { node_id: this.id, host: this.host, pid: process.pid, started_at: now, heartbeat_at: now, clock_at: this.deps.clock.now() });
  }

  private gone(node: NodeRow, now: number): boolean {
    if (node.heartbeat_at < now - this.expiryMs) return true;
    if (node.host !== this.host) return false;
    // Our own pid under another node id is an earlier life of this process slot (a restarted container).
    return node.pid === process.pid || !(this.deps.processExists ?? processExists)(node.pid);
  }

  private async reapOnce(): Promise<void> {
    const now = this.deps.wall.now();
    for (const node of await nodesRepo.others(this.deps.db, this.id)) {
      if (!this.gone(node, now)) continue;
      this.deps.logger.warn({ node_id: node.node_id, pid: node.pid, last_heartbeat: new Date(node.heartbeat_at).toISOString() }, 'nodes: a node is gone; taking over its work');
      // A step that fails leaves the row, so the next look tries again.
      for (const takeover of this.takeovers) await takeover({ nodeId: node.node_id, lastSeenAt: node.clock_at });
      await nodesRepo.delete(this.deps.db, node.node_id);
    }
  }
}
